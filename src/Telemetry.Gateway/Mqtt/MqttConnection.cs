using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Mqtt.Wire;
using Telemetry.Gateway.Sources;
using Telemetry.Pipeline.Batching;

namespace Telemetry.Gateway.Mqtt;

/// <summary>
/// One TCP (or TLS) connection to the broker for <see cref="PipelinesSubscriber"/>. A thread of its own reads
/// the socket with blocking reads into a <see cref="Pipe"/> whose reader runs inline on that thread, so a
/// message goes from the kernel to the decoder without a thread hop; after a read that filled less than
/// half of the buffer it pauses <see cref="MqttOptions.ReadCoalesceMs"/> so that the next read carries more messages
/// (the socket is never registered with epoll, so nothing wakes up in between). While the receive loop
/// waits for room in the pipeline, the thread stops reading and TCP pushes back on the broker.
/// Everything sent goes through one queue written in order by a send loop: PUBACKs gather per batch and
/// are queued in one piece, so acknowledging never waits for the socket. (mosquitto stops reading a
/// client it cannot write to; a gateway that stopped reading until its acks were written would deadlock.)
/// </summary>
internal sealed class MqttConnection : IAckTarget
{
    /// <summary>The one SUBSCRIBE's packet id; the gateway's own PUBLISHes take the others.</summary>
    public const ushort SubscribePacketId = 1;
    private const int ReadSize = 64 * 1024;
    private readonly Socket _socket;
    private readonly Stream _stream;
    // No pause threshold: a packet may be larger than any threshold, and reading is paused explicitly
    // (PauseReading) while the receive loop waits for the pipeline.
    private readonly Pipe _pipe = new(new PipeOptions(
        readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 0, minimumSegmentSize: ReadSize, useSynchronizationContext: false));
    private readonly ManualResetEventSlim _mayRead = new(true);
    private readonly int _coalesceMs;
    private readonly Action<int> _acksLost;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _sending;
    private readonly object _ackGate = new();
    private byte[] _acks = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _ackBytes;
    private long _waitingSince;
    private volatile bool _open = true;
    // The gateway's own QoS 1 PUBLISHes waiting for their PUBACK, by packet id; guarded by _ackGate.
    private readonly Dictionary<ushort, TaskCompletionSource> _published = [];
    private ushort _lastPublishId = SubscribePacketId;

    /// <summary>A packet (or a run of PUBACKs, then in a pooled buffer) waiting to be written.</summary>
    private readonly record struct Outgoing(byte[] Bytes, int Length, bool IsAcks);

    private MqttConnection(Socket socket, Stream stream, int coalesceMs, Action<int> acksLost)
    {
        _socket = socket;
        _stream = stream;
        _coalesceMs = coalesceMs;
        _acksLost = acksLost;
        _sending = Task.Run(SendLoopAsync);
        new Thread(ReadSocket) { IsBackground = true, Name = "mqtt-receive" }.Start();
    }

    public PipeReader Reader => _pipe.Reader;
    public bool IsOpen => _open;
    /// <summary>Completed with the SUBACK's reason codes (one per filter), or faulted when the connection ends first.</summary>
    public TaskCompletionSource<byte[]> SubAck { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>The reason codes of the UNSUBACK to the UNSUBSCRIBE sent when leaving (same packet id as the SUBSCRIBE, long acknowledged).</summary>
    public TaskCompletionSource<byte[]> UnsubAck { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>How long the current read has waited for the broker; zero while the reader is busy elsewhere (e.g. held by back-pressure).</summary>
    public TimeSpan WaitingForBrokerFor => Volatile.Read(ref _waitingSince) is var since and > 0 ? Stopwatch.GetElapsedTime(since) : TimeSpan.Zero;

    /// <summary>Connects (and shakes hands for TLS) with blocking calls, so that the socket stays out of the epoll loop.</summary>
    /// <param name="acksLost">told how many PUBACKs were queued but could not be written (the broker redelivers those messages)</param>
    public static async Task<MqttConnection> OpenAsync(MqttOptions options, TimeSpan timeout, Action<int> acksLost, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveBufferSize = options.SocketBufferBytes,
            SendBufferSize = options.SocketBufferBytes,
        };
        var connecting = Task.Run(() =>
        {
            socket.Connect(options.Host, options.Port);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (!options.UseTls) return stream;
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            tls.AuthenticateAsClient(TlsOptions(options));
            return tls;
        }, CancellationToken.None);
        try
        {
            var stream = await connecting.WaitAsync(timeout, ct);
            return new MqttConnection(socket, stream, options.ReadCoalesceMs, acksLost);
        }
        catch (TimeoutException)
        {
            socket.Dispose();
            throw new TimeoutException($"no connection within {timeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The receive thread: socket → pipe; the pipe's reader (the subscriber's receive loop) runs inline on it.</summary>
    private void ReadSocket()
    {
        var writer = _pipe.Writer;
        try
        {
            while (true)
            {
                _mayRead.Wait();
                var memory = writer.GetMemory(ReadSize);
                Volatile.Write(ref _waitingSince, Stopwatch.GetTimestamp());
                int read = _stream.Read(memory.Span);
                Volatile.Write(ref _waitingSince, 0);
                if (read == 0) break;
                writer.Advance(read);
                // Completes at once: the pipe has no pause threshold, and the reader runs inline here.
                if (writer.FlushAsync().GetAwaiter().GetResult().IsCompleted) return;
                if (read < memory.Length / 2 && _coalesceMs > 0) Thread.Sleep(_coalesceMs);
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(_open ? e : null);
        }
    }

    private static SslClientAuthenticationOptions TlsOptions(MqttOptions options)
    {
        var tls = new SslClientAuthenticationOptions { TargetHost = options.Host };
        if (ClientCertificate.Load(options) is { } certificate) tls.ClientCertificates = [certificate];
        if (BrokerCa.Load(options) is { } ca)
        {
            tls.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            tls.CertificateChainPolicy.CustomTrustStore.AddRange(ca);
        }
        return tls;
    }

    /// <summary>Sends CONNECT and reads the CONNACK; anything the broker sends after it stays in the reader.</summary>
    public async Task<ConnAck> HandshakeAsync(byte[] connect, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            Send(connect);
            while (true)
            {
                var result = await Reader.ReadAsync(deadline.Token);
                var buffer = result.Buffer;
                if (MqttWire.TryReadPacket(ref buffer, out byte header, out var body))
                {
                    if (MqttWire.TypeOf(header) != PacketType.ConnAck)
                        throw new MqttProtocolException($"expected CONNACK, got {MqttWire.TypeOf(header)}");
                    var connAck = MqttWire.ReadConnAck(body);
                    Reader.AdvanceTo(buffer.Start);
                    if (connAck.ReasonCode >= 0x80)
                        throw new InvalidOperationException($"broker refused the connection: {ReasonCodes.Describe(connAck.ReasonCode)}"
                            + (connAck.ReasonString is { } why ? $" ({why})" : ""));
                    return connAck;
                }
                Reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) throw new IOException("the broker closed the connection before CONNACK");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no CONNACK within {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Stops the receive thread before its next read (the receive loop is waiting for the pipeline).</summary>
    public void PauseReading() => _mayRead.Reset();
    public void ResumeReading() => _mayRead.Set();

    /// <summary>Queues a packet for the send loop.</summary>
    public void Send(byte[] packet) => _outgoing.Writer.TryWrite(new Outgoing(packet, packet.Length, IsAcks: false));

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync())
            {
                try
                {
                    _stream.Write(item.Bytes, 0, item.Length);
                }
                catch
                {
                    if (item.IsAcks) _acksLost(item.Length / MqttWire.PubAckLength);
                    throw;
                }
                finally
                {
                    if (item.IsAcks) ArrayPool<byte>.Shared.Return(item.Bytes);
                }
            }
        }
        catch
        {
            Abort();
            while (_outgoing.Reader.TryRead(out var left))
                if (left.IsAcks) _acksLost(left.Length / MqttWire.PubAckLength);
        }
    }

    /// <summary>Waits until everything queued so far has been written, up to <paramref name="timeout"/>; nothing can be sent after.</summary>
    public async Task FinishSendingAsync(TimeSpan timeout)
    {
        _outgoing.Writer.TryComplete();
        await _sending.WaitAsync(timeout);
    }

    /// <summary>Queues the PUBACK of a message of this connection; once the connection is closed it is counted as not sent.</summary>
    public ValueTask AcknowledgeAsync(ushort packetId, CancellationToken ct)
    {
        if (!TryQueueAck(packetId)) _acksLost(1);
        return default;
    }

    public ValueTask FlushAsync(CancellationToken ct)
    {
        FlushAcks();
        return default;
    }

    /// <summary>Queues a PUBACK; false when the connection is closed.</summary>
    private bool TryQueueAck(ushort packetId)
    {
        lock (_ackGate)
        {
            if (!_open) return false;
            if (_ackBytes + MqttWire.PubAckLength > _acks.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(_acks.Length * 2);
                _acks.AsSpan(0, _ackBytes).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_acks);
                _acks = larger;
            }
            MqttWire.WritePubAck(_acks.AsSpan(_ackBytes), packetId);
            _ackBytes += MqttWire.PubAckLength;
            return true;
        }
    }

    /// <summary>Hands the PUBACKs gathered so far to the send loop as one write.</summary>
    public void FlushAcks()
    {
        lock (_ackGate)
        {
            if (_ackBytes == 0) return;
            // The gathered buffer itself goes to the send loop (which returns it to the pool); gathering goes on in a new one.
            var gathered = _acks;
            _acks = ArrayPool<byte>.Shared.Rent(gathered.Length);
            if (!_outgoing.Writer.TryWrite(new Outgoing(gathered, _ackBytes, IsAcks: true)))
            {
                _acksLost(_ackBytes / MqttWire.PubAckLength);
                ArrayPool<byte>.Shared.Return(gathered);
            }
            _ackBytes = 0;
        }
    }

    /// <summary>Sends a QoS 1 PUBLISH in the order of everything else sent; completes when the broker acknowledges it.</summary>
    public async Task PublishAsync(OutgoingMessage message, CancellationToken ct)
    {
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ushort packetId;
        lock (_ackGate)
        {
            if (!_open) throw new SourceUnavailableException("the MQTT connection is closed");
            packetId = NextPublishId();
            _published[packetId] = acked;
        }
        Send(MqttWire.Publish(packetId, message.Topic, message.Payload.Span, message.Retain, message.ContentType));
        try
        {
            await acked.Task.WaitAsync(ct);
        }
        finally
        {
            lock (_ackGate) _published.Remove(packetId);
        }
    }

    /// <summary>Caller holds <see cref="_ackGate"/>.</summary>
    private ushort NextPublishId()
    {
        if (_published.Count >= ushort.MaxValue - 1) throw new SourceUnavailableException("65534 publishes already wait for their acknowledgement");
        do _lastPublishId = _lastPublishId == ushort.MaxValue ? (ushort)(SubscribePacketId + 1) : (ushort)(_lastPublishId + 1);
        while (_published.ContainsKey(_lastPublishId));
        return _lastPublishId;
    }

    /// <summary>The broker's PUBACK of one of the gateway's own PUBLISHes.</summary>
    public void OnPubAck(ushort packetId, byte reasonCode)
    {
        TaskCompletionSource? acked;
        lock (_ackGate)
            if (!_published.Remove(packetId, out acked)) return;
        if (reasonCode < 0x80) acked.TrySetResult();
        else acked.TrySetException(new SourceUnavailableException($"the broker refused the publish: {ReasonCodes.Describe(reasonCode)}"));
    }

    /// <summary>Closes the socket: a pending read fails, later acknowledgements are refused, publishes waiting for a PUBACK fail.</summary>
    public void Abort()
    {
        TaskCompletionSource[] unacknowledged;
        lock (_ackGate)
        {
            _open = false;
            unacknowledged = [.. _published.Values];
            _published.Clear();
        }
        foreach (var publish in unacknowledged) publish.TrySetException(new SourceUnavailableException("the MQTT connection closed before the broker acknowledged the publish"));
        _outgoing.Writer.TryComplete();
        _stream.Dispose();
        _socket.Dispose();
        _mayRead.Set();
    }
}
