using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Mqtt.Wire;
using Telemetry.Gateway.Sources;
using Telemetry.Gateway.Sparkplug;
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
internal sealed class PipelinesSubscriber(IOptions<MqttOptions> options, SparkplugHost sparkplug, ILogger<PipelinesSubscriber> logger)
    : ReconnectingSubscriber(options.Value, sparkplug, logger)
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] PingReq = MqttWire.PingReq.ToArray();

    private readonly TopicStrings _topics = new();
    private readonly TopicStrings _contentTypes = new(capacity: 64);
    private volatile MqttConnection? _connection;

    protected override async Task ConnectAndServeAsync(IngestPipeline pipeline, CancellationToken ct)
    {
        var will = Sparkplug.NewConnectionWill();
        var connect = MqttWire.Connect(Options.ClientId, Options.Username, Options.Password,
            (ushort)Options.KeepAliveSeconds, Options.SessionExpirySeconds, (ushort)Options.ReceiveMaximum,
            will?.Topic, will is null ? default : will.Payload.Span, will?.Retain ?? false);
        MqttConnection? connection = null;
        try
        {
            connection = await MqttConnection.OpenAsync(Options, HandshakeTimeout, AckNotSent, ct);
            var connAck = await connection.HandshakeAsync(connect, HandshakeTimeout, ct);
            _connection = connection;
            OnConnected(connAck.SessionPresent);
            await ServeAsync(connection, pipeline, connAck.ServerKeepAliveSeconds ?? Options.KeepAliveSeconds, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            connection?.Abort();
            throw;
        }
    }

    /// <summary>Subscribes, then reads until the connection ends (throws) or <paramref name="ct"/> is cancelled.</summary>
    private async Task ServeAsync(MqttConnection connection, IngestPipeline pipeline, int keepAliveSeconds, CancellationToken ct)
    {
        using var connectionEnd = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keepAlive = KeepAliveAsync(connection, keepAliveSeconds, connectionEnd.Token);
        var receive = ReceiveAsync(connection, pipeline, ct);
        try
        {
            connection.Send(MqttWire.Subscribe(MqttConnection.SubscribePacketId, Filters, Options.Qos));
            byte[] reasons = await connection.SubAck.Task.WaitAsync(HandshakeTimeout, ct);
            await OnSubscribedAsync([.. reasons.Select(r => (int)r)], connection.PublishAsync, ct);
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
        var topic = StringOf(_topics, publish.Topic);
        string? contentType = publish.ContentType.IsEmpty ? null : StringOf(_contentTypes, publish.ContentType);
        AckHandle? ack = publish.Qos == 1 ? new AckHandle(connection, publish.PacketId) : null;
        return pipeline.AcceptAsync(new ReceivedMessage(topic, publish.Payload, publish.Retain, contentType, ack));
    }

    private static string StringOf(TopicStrings strings, ReadOnlySequence<byte> utf8)
    {
        if (utf8.IsSingleSegment) return strings.Get(utf8.FirstSpan);
        if (utf8.Length <= 512)
        {
            Span<byte> bytes = stackalloc byte[(int)utf8.Length];
            utf8.CopyTo(bytes);
            return strings.Get(bytes);
        }
        var rented = ArrayPool<byte>.Shared.Rent((int)utf8.Length);
        try
        {
            utf8.CopyTo(rented);
            return strings.Get(rented.AsSpan(0, (int)utf8.Length));
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
                var (packetId, reasons) = MqttWire.ReadSubAck(body);
                if (packetId == MqttConnection.SubscribePacketId) connection.SubAck.TrySetResult(reasons);
                return;
            case PacketType.UnsubAck:
                // Same layout as a SUBACK: packet id, properties, one reason code per filter.
                var (unsubscribeId, unsubscribeReasons) = MqttWire.ReadSubAck(body);
                if (unsubscribeId == MqttConnection.SubscribePacketId) connection.UnsubAck.TrySetResult(unsubscribeReasons);
                return;
            case PacketType.PubAck:
                var (publishId, publishReason) = MqttWire.ReadPubAck(body);
                connection.OnPubAck(publishId, publishReason);
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
                    Logger.LogWarning("MQTT broker silent for {Seconds} s (keep-alive {KeepAlive} s): dropping the connection",
                        (int)connection.WaitingForBrokerFor.TotalSeconds, seconds);
                    connection.Abort();
                    return;
                }
                connection.Send(PingReq);
            }
        }
        catch (OperationCanceledException) { }
    }

    protected override async Task UnsubscribeAsync(CancellationToken ct)
    {
        var connection = _connection is { IsOpen: true } open ? open : throw new IOException("not connected");
        connection.Send(MqttWire.Unsubscribe(MqttConnection.SubscribePacketId, Filters));
        byte[] reasons = await connection.UnsubAck.Task.WaitAsync(ct);
        // 0x11: no subscription existed (e.g. it was never made on this session): nothing more will be dealt either.
        foreach (byte reason in reasons)
            if (reason is not (0x00 or 0x11)) throw new IOException($"broker refused UNSUBSCRIBE: {ReasonCodes.Describe(reason)}");
    }

    public override Task PublishAsync(OutgoingMessage message, CancellationToken ct) =>
        _connection is { IsOpen: true } connection
            ? connection.PublishAsync(message, ct)
            : throw new SourceUnavailableException("not connected to the MQTT broker");

    public override async ValueTask DisposeAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null) return;
        if (connection.IsOpen)
        {
            try
            {
                connection.FlushAcks();
                // With the Sparkplug host on, the broker publishes the STATE will (offline) on this DISCONNECT too.
                var disconnect = (EndsSession, Sparkplug.Enabled) switch
                {
                    (true, true) => MqttWire.DisconnectWithWillEndingSession,
                    (true, false) => MqttWire.DisconnectEndingSession,
                    (false, true) => MqttWire.DisconnectWithWill,
                    _ => MqttWire.NormalDisconnect,
                };
                connection.Send(disconnect.ToArray());
                await connection.FinishSendingAsync(TimeSpan.FromSeconds(5));
                Logger.LogInformation("Disconnected from MQTT broker");
            }
            catch (Exception e)
            {
                Logger.LogDebug("MQTT disconnect: {Error}", e.Message);
            }
        }
        connection.Abort();
    }
}
