using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Mqtt.Wire;
using Telemetry.Pipeline.Batching;

namespace Telemetry.Gateway.Mqtt;

/// <summary>
/// Subscriber mode's default client (<c>Mqtt:Client=Pipelines</c>): MQTT 5 over an <see cref="MqttConnection"/>,
/// whose receive thread runs this receive loop as the reader of its System.IO.Pipelines pipe. A PUBLISH is
/// decoded from the receive buffer (no message object, no payload copy, topic strings reused), and the
/// PUBACKs of a written batch leave in one socket write. Same session and
/// acknowledgement rules as the MQTTnet client: clean start off plus a session expiry, QoS 1 acknowledged
/// only when the pipeline says the points are safe, never on a later connection.
/// </summary>
public sealed class PipelinesSubscriber(IOptions<MqttOptions> options, ILogger<PipelinesSubscriber> logger) : IMqttSubscriber
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private const ushort SubscribePacketId = 1;
    private static readonly byte[] PingReq = MqttWire.PingReq.ToArray();

    private readonly MqttOptions _options = options.Value;
    private readonly TopicStrings _topics = new();
    private volatile MqttConnection? _connection;
    private long _staleAcksSkipped;
    private volatile bool _subscribed;

    /// <summary>True once the subscription is in place, until the connection ends.</summary>
    public bool IsConnected => _subscribed && _connection is { IsOpen: true };
    public long StaleAcksSkipped => Interlocked.Read(ref _staleAcksSkipped);

    public async Task RunAsync(IngestPipeline pipeline, CancellationToken ct)
    {
        var connect = MqttWire.Connect(_options.ClientId, _options.Username, _options.Password,
            (ushort)_options.KeepAliveSeconds, _options.SessionExpirySeconds, (ushort)_options.ReceiveMaximum);
        int delayMs = _options.ReconnectMinDelayMs;
        while (!ct.IsCancellationRequested)
        {
            MqttConnection? connection = null;
            try
            {
                _subscribed = false;
                connection = await MqttConnection.OpenAsync(_options, HandshakeTimeout, lost => Interlocked.Add(ref _staleAcksSkipped, lost), ct);
                var connAck = await connection.HandshakeAsync(connect, HandshakeTimeout, ct);
                _connection = connection;
                logger.LogInformation("Connected to MQTT broker {Host}:{Port} as {ClientId} (session present: {SessionPresent})",
                    _options.Host, _options.Port, _options.ClientId, connAck.SessionPresent);
                await ServeAsync(connection, pipeline, connAck.ServerKeepAliveSeconds ?? _options.KeepAliveSeconds, () =>
                {
                    _subscribed = true;
                    delayMs = _options.ReconnectMinDelayMs;
                }, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning("MQTT connection to {Host}:{Port} failed: {Error}; retrying in {Delay} ms",
                    _options.Host, _options.Port, e.Message, delayMs);
                connection?.Abort();
            }
            if (ct.IsCancellationRequested) break;
            await ReconnectDelay.WaitAsync(delayMs, ct);
            delayMs = ReconnectDelay.Next(delayMs, _options.ReconnectMaxDelayMs);
        }
    }

    /// <summary>Subscribes, then reads until the connection ends (throws) or <paramref name="ct"/> is cancelled.</summary>
    private async Task ServeAsync(MqttConnection connection, IngestPipeline pipeline, int keepAliveSeconds, Action subscribed, CancellationToken ct)
    {
        using var connectionEnd = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keepAlive = KeepAliveAsync(connection, keepAliveSeconds, connectionEnd.Token);
        var receive = ReceiveAsync(connection, pipeline, ct);
        try
        {
            connection.Send(MqttWire.Subscribe(SubscribePacketId, _options.TopicFilter, _options.Qos));
            byte reason = await connection.SubAck.Task.WaitAsync(HandshakeTimeout, ct);
            if (reason > 2) throw new InvalidOperationException($"broker refused subscription to '{_options.TopicFilter}': {ReasonCodes.Describe(reason)}");
            logger.LogInformation("Subscribed to {Filter} (granted QoS {Qos})", _options.TopicFilter, reason);
            subscribed();
            await receive;
        }
        catch when (!receive.IsCompleted)
        {
            connection.Abort();
            await receive.ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
        finally
        {
            await connectionEnd.CancelAsync();
            await keepAlive;
        }
    }

    private async Task ReceiveAsync(MqttConnection connection, IngestPipeline pipeline, CancellationToken ct)
    {
        var reader = connection.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct);
                var buffer = result.Buffer;
                try
                {
                    while (MqttWire.TryReadPacket(ref buffer, out byte header, out var body))
                    {
                        if (MqttWire.TypeOf(header) != PacketType.Publish)
                        {
                            OnControlPacket(connection, header, body);
                            continue;
                        }
                        var accepted = Accept(connection, pipeline, header, body);
                        if (!accepted.IsCompletedSuccessfully) await WaitForRoomAsync(connection, accepted);
                    }
                    if (result.IsCompleted) throw new IOException("the broker closed the connection");
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (Exception e)
        {
            connection.SubAck.TrySetException(e);
            throw;
        }
    }

    /// <summary>The pipeline is full: the receive thread stops reading until it has room.</summary>
    private static async ValueTask WaitForRoomAsync(MqttConnection connection, ValueTask accepted)
    {
        connection.PauseReading();
        try
        {
            await accepted;
        }
        finally
        {
            connection.ResumeReading();
        }
    }

    private ValueTask Accept(MqttConnection connection, IngestPipeline pipeline, byte header, ReadOnlySequence<byte> body)
    {
        var publish = MqttWire.ReadPublish(header, body);
        if (publish.Qos == 2) throw new MqttProtocolException("QoS 2 PUBLISH on a QoS 1 subscription");
        var topic = publish.Topic.IsSingleSegment ? _topics.Get(publish.Topic.FirstSpan) : TopicOfSegments(publish.Topic);
        AckHandle? ack = publish.Qos == 1 ? new AckHandle(connection, 0, publish.PacketId) : null;
        return pipeline.AcceptAsync(topic, publish.Payload, publish.Retain, ack);
    }

    private string TopicOfSegments(ReadOnlySequence<byte> topic)
    {
        if (topic.Length <= 512)
        {
            Span<byte> bytes = stackalloc byte[(int)topic.Length];
            topic.CopyTo(bytes);
            return _topics.Get(bytes);
        }
        var rented = ArrayPool<byte>.Shared.Rent((int)topic.Length);
        try
        {
            topic.CopyTo(rented);
            return _topics.Get(rented.AsSpan(0, (int)topic.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void OnControlPacket(MqttConnection connection, byte header, ReadOnlySequence<byte> body)
    {
        switch (MqttWire.TypeOf(header))
        {
            case PacketType.PingResp:
                return;
            case PacketType.SubAck:
                var (packetId, reason) = MqttWire.ReadSubAck(body);
                if (packetId == SubscribePacketId) connection.SubAck.TrySetResult(reason);
                return;
            case PacketType.Disconnect:
                throw new IOException($"the broker disconnected: {ReasonCodes.Describe(MqttWire.ReadDisconnectReason(body))}");
            default:
                throw new MqttProtocolException($"unexpected {MqttWire.TypeOf(header)} packet from the broker");
        }
    }

    /// <summary>PINGREQ every half keep-alive; a connection that has not answered for 1.5 keep-alives is dropped.</summary>
    private async Task KeepAliveAsync(MqttConnection connection, int seconds, CancellationToken ct)
    {
        if (seconds <= 0) return;
        var silenceLimit = TimeSpan.FromSeconds(seconds * 1.5);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds / 2.0));
        try
        {
            while (await timer.WaitForNextTickAsync(ct) && connection.IsOpen)
            {
                if (connection.WaitingForBrokerFor > silenceLimit)
                {
                    logger.LogWarning("MQTT broker silent for {Seconds} s (keep-alive {KeepAlive} s): dropping the connection",
                        (int)connection.WaitingForBrokerFor.TotalSeconds, seconds);
                    connection.Abort();
                    return;
                }
                connection.Send(PingReq);
            }
        }
        catch (OperationCanceledException) { }
    }

    public ValueTask AcknowledgeAsync(AckHandle handle, CancellationToken ct)
    {
        // A PUBACK for a message of an earlier connection would carry a packet id that the broker
        // may by now have given to another message: skip it; the broker redelivers the message.
        if (!ReferenceEquals(handle.Token, _connection) || !((MqttConnection)handle.Token).TryQueueAck(handle.PacketId))
            Interlocked.Increment(ref _staleAcksSkipped);
        return default;
    }

    public ValueTask FlushAsync(CancellationToken ct)
    {
        _connection?.FlushAcks();
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null) return;
        if (connection.IsOpen)
        {
            try
            {
                connection.FlushAcks();
                connection.Send(MqttWire.NormalDisconnect.ToArray());
                await connection.FinishSendingAsync(TimeSpan.FromSeconds(5));
                logger.LogInformation("Disconnected from MQTT broker");
            }
            catch (Exception e)
            {
                logger.LogDebug("MQTT disconnect: {Error}", e.Message);
            }
        }
        connection.Abort();
    }
}
