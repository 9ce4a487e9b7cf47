using DeviceSim.Fleet;
using MQTTnet;
using MQTTnet.Protocol;

namespace DeviceSim.Publishing;

/// <summary>
/// Publishes over MQTT 5 with MQTTnet, one connection per <see cref="MqttSender"/> of the run's format: per vehicle
/// (client id = vehicle id, with its retained <c>{"online":false}</c> last will, as a real vehicle), per Sparkplug
/// edge node (its NDEATH as the will, subscribed to its NCMD), or a pool of shared connections (a relay). Each
/// connection keeps up to <c>inflight</c> QoS 1/2 publishes outstanding; a message's
/// <see cref="OutgoingMessage.Sender"/> picks its connection (modulo the pool's size).
/// A connection that is lost (a broker restart, a network cut) is connected again, and every publish
/// it had not acknowledged is sent again: a vehicle's firmware does the same, and the gateway stores a
/// point sent twice once (same series and time). A publish the broker answered with a failure reason
/// code is not resent: it was refused, not lost.
/// </summary>
public sealed class MqttSink : IMessageSink
{
    private readonly string _host;
    private readonly int _port;
    private readonly MqttQualityOfServiceLevel _qos;
    private readonly int _inflight;
    private readonly Connection[] _connections;
    private readonly TimeSpan _reconnectTimeout;
    private readonly Action<int, string, byte[]>? _onCommand;
    private long _published, _failed, _resent, _reconnects;

    private static readonly TimeSpan FirstReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromSeconds(2);

    private sealed class Connection(IMqttClient client, MqttClientOptions options, int inflight, string? commandFilter)
    {
        public IMqttClient Client { get; } = client;
        public MqttClientOptions Options { get; } = options;
        public string? CommandFilter { get; } = commandFilter;
        public SemaphoreSlim Window { get; } = new(inflight, inflight);
        /// <summary>One reconnect at a time; the other publishes of the connection wait for it.</summary>
        public SemaphoreSlim Reconnecting { get; } = new(1, 1);
    }

    /// <param name="onCommand">gets (sender index, topic, payload) of each message on a sender's command filter</param>
    public MqttSink(string broker, int qos, int inflight, IReadOnlyList<MqttSender> senders, TimeSpan? reconnectTimeout = null,
        Action<int, string, byte[]>? onCommand = null)
    {
        _reconnectTimeout = reconnectTimeout ?? TimeSpan.FromSeconds(60);
        (_host, _port) = ParseBroker(broker);
        _qos = (MqttQualityOfServiceLevel)qos;
        _inflight = inflight;
        _onCommand = onCommand;
        var factory = new MqttClientFactory();
        _connections = senders.Select((s, i) => NewConnection(factory, s, i)).ToArray();
    }

    public long Published => Interlocked.Read(ref _published);
    public long Failed => Interlocked.Read(ref _failed);
    /// <summary>Publishes sent again after their connection was lost before the broker acknowledged them.</summary>
    public long Resent => Interlocked.Read(ref _resent);
    /// <summary>Connections made again after they were lost.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public string? LastError { get; private set; }
    public int ConnectionCount => _connections.Length;

    public static (string Host, int Port) ParseBroker(string broker)
    {
        var text = broker.StartsWith("mqtt://", StringComparison.Ordinal) ? broker[7..] : broker;
        int colon = text.LastIndexOf(':');
        if (colon < 0) return (text, 1883);
        if (!int.TryParse(text[(colon + 1)..], out int port) || port is < 1 or > 65535)
            throw new ArgumentException($"--broker: '{broker}' is not host:port");
        return (text[..colon], port);
    }

    private Connection NewConnection(MqttClientFactory factory, MqttSender sender, int index)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_host, _port)
            .WithClientId(sender.ClientId)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(15));
        if (sender.Username is not null) builder.WithCredentials(sender.Username, sender.Password);
        if (sender.WillTopic is not null)
        {
            builder.WithWillTopic(sender.WillTopic)
                .WithWillPayload(sender.WillPayload ?? [])
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillRetain(sender.WillRetain);
        }
        var options = builder.Build();
        // MQTTnet sets SO_SNDBUF/SO_RCVBUF to this (8 KB by default), which disables kernel auto-tuning
        // and stalls loopback traffic under load.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 256 * 1024;
        var client = factory.CreateMqttClient();
        if (sender.CommandFilter is not null && _onCommand is { } onCommand)
        {
            client.ApplicationMessageReceivedAsync += e =>
            {
                onCommand(index, e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
                return Task.CompletedTask;
            };
        }
        return new Connection(client, options, _inflight, sender.CommandFilter);
    }

    /// <summary>Connects, and subscribes to the connection's command filter before anything is published on it.</summary>
    private async Task<MqttClientConnectResult> OpenAsync(Connection c, CancellationToken ct)
    {
        var result = await c.Client.ConnectAsync(c.Options, ct);
        if (result.ResultCode == MqttClientConnectResultCode.Success && c.CommandFilter is { } filter)
            await c.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        return result;
    }

    public async Task ConnectAsync(CancellationToken ct)
    {
        // Connect in waves so hundreds of vehicles do not hit the broker's accept queue at once.
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(_connections.Select(async c =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var result = await OpenAsync(c, ct);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                    throw new InvalidOperationException($"broker refused {c.Options.ClientId}: {result.ResultCode} {result.ReasonString}");
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    public async ValueTask PublishAsync(OutgoingMessage message, CancellationToken ct)
    {
        var connection = _connections[message.Sender % _connections.Length];
        var applicationMessage = new MqttApplicationMessageBuilder()
            .WithTopic(message.Topic)
            .WithPayload(message.Payload)
            .WithQualityOfServiceLevel(_qos)
            .WithRetainFlag(message.Retain)
            .Build();
        if (!message.Ordered)
        {
            await connection.Window.WaitAsync(ct);
            _ = PublishOne(connection, applicationMessage, ct);
            return;
        }
        // Alone on its connection: everything before it acknowledged, nothing after it sent until it is.
        for (int i = 0; i < _inflight; i++) await connection.Window.WaitAsync(ct);
        await PublishOne(connection, applicationMessage, ct);
        if (_inflight > 1) connection.Window.Release(_inflight - 1);
    }

    private async Task PublishOne(Connection connection, MqttApplicationMessage message, CancellationToken ct)
    {
        try
        {
            DateTime? lostSince = null;
            while (true)
            {
                try
                {
                    var result = await connection.Client.PublishAsync(message, ct);
                    if (result.IsSuccess) Interlocked.Increment(ref _published);
                    else Fail($"{message.Topic}: {result.ReasonCode} {result.ReasonString}");
                    return;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Not acknowledged: the connection broke (or the PUBACK timed out). Send it again once connected.
                    lostSince ??= DateTime.UtcNow;
                    LastError = $"{message.Topic}: {e.Message}";
                    if (!await ReconnectAsync(connection, lostSince.Value, ct))
                    {
                        Fail($"{message.Topic}: not acknowledged, no connection for {_reconnectTimeout.TotalSeconds:0} s ({e.Message})");
                        return;
                    }
                    Interlocked.Increment(ref _resent);
                }
            }
        }
        catch (Exception e)
        {
            Fail($"{message.Topic}: {e.Message}");
        }
        finally
        {
            connection.Window.Release();
        }
    }

    /// <summary>Connects <paramref name="connection"/> again unless it is connected; false once it has been lost for the reconnect timeout.</summary>
    private async Task<bool> ReconnectAsync(Connection connection, DateTime lostSince, CancellationToken ct)
    {
        await connection.Reconnecting.WaitAsync(ct);
        try
        {
            var delay = FirstReconnectDelay;
            while (true)
            {
                if (connection.Client.IsConnected)
                {
                    // The client may still report the connection it is about to lose: do not resend in a tight loop.
                    await Task.Delay(FirstReconnectDelay, ct);
                    if (connection.Client.IsConnected) return true;
                }
                if (DateTime.UtcNow - lostSince > _reconnectTimeout) return false;
                try
                {
                    var result = await OpenAsync(connection, ct);
                    if (result.ResultCode == MqttClientConnectResultCode.Success)
                    {
                        Interlocked.Increment(ref _reconnects);
                        return true;
                    }
                    LastError = $"reconnecting {connection.Options.ClientId}: {result.ResultCode} {result.ReasonString}";
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    LastError = $"reconnecting {connection.Options.ClientId}: {e.Message}";
                }
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
        }
        finally
        {
            connection.Reconnecting.Release();
        }
    }

    private void Fail(string error)
    {
        Interlocked.Increment(ref _failed);
        LastError = error;
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        foreach (var c in _connections)
        {
            for (int i = 0; i < _inflight; i++) await c.Window.WaitAsync(ct);
            c.Window.Release(_inflight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _connections)
        {
            try
            {
                // A normal disconnect: the broker discards the will (the final status was published explicitly).
                if (c.Client.IsConnected)
                    await c.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build());
            }
            catch (Exception e)
            {
                LastError = e.Message;
            }
            c.Client.Dispose();
        }
    }
}
