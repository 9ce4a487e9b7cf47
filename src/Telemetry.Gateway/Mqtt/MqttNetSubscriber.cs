using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Sources;
using Telemetry.Gateway.Sparkplug;
using Telemetry.Pipeline.Batching;

namespace Telemetry.Gateway.Mqtt;

/// <summary>
/// Subscriber mode on MQTTnet's client, the alternative to the default <see cref="PipelinesSubscriber"/>
/// (<c>Mqtt:Client=MQTTnet</c>): the same persistent session (clean start off plus a session expiry) and
/// QoS 1 acknowledgements held until the pipeline says the points are safe. MQTTnet hands over a message
/// object per packet; each QoS 1 one is acknowledged through its own <see cref="HeldAck"/>.
/// </summary>
internal sealed class MqttNetSubscriber : ReconnectingSubscriber
{
    private readonly IMqttClient _client;
    private IngestPipeline? _pipeline;
    private volatile Connection? _connection;
    private volatile bool _stopping;

    /// <summary>One connection of the client (MQTTnet reuses its client object): its messages' acknowledgements go out only while it lasts.</summary>
    private sealed class Connection
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool IsOpen => !_ended.Task.IsCompleted;
        public Task Ended => _ended.Task;
        public void End() => _ended.TrySetResult();
    }

    /// <summary>A QoS 1 message's acknowledgement: MQTTnet sends a PUBACK only through the message's own event arguments.</summary>
    private sealed class HeldAck(MqttNetSubscriber owner, Connection connection, MqttApplicationMessageReceivedEventArgs message) : IAckTarget
    {
        public ValueTask AcknowledgeAsync(ushort packetId, CancellationToken ct)
        {
            if (!connection.IsOpen || !owner._client.IsConnected)
            {
                owner.AckNotSent();
                return default;
            }
            var task = message.AcknowledgeAsync(ct);
            return task.IsCompletedSuccessfully ? default : owner.AwaitAckAsync(task);
        }
    }

    public MqttNetSubscriber(IOptions<MqttOptions> options, SparkplugHost sparkplug, ILogger<MqttNetSubscriber> logger) : base(options.Value, sparkplug, logger)
    {
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    protected override async Task ConnectAndServeAsync(IngestPipeline pipeline, CancellationToken ct)
    {
        _pipeline = pipeline;
        // In place before CONNECT: a session's queued messages may arrive before ConnectAsync returns.
        var connection = new Connection();
        _connection = connection;
        try
        {
            var result = await _client.ConnectAsync(BuildClientOptions(), ct);
            OnConnected(result.IsSessionPresent);
            await SubscribeAsync(ct);
            await connection.Ended.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            connection.End();
            if (_client.IsConnected) await SafeDisconnectAsync();
            throw;
        }
    }

    private async Task SubscribeAsync(CancellationToken ct)
    {
        var qos = Options.Qos == 1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce;
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in Filters)
            subscribe.WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(qos)
                .WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly));
        var result = await _client.SubscribeAsync(subscribe.Build(), ct);
        // MQTTnet's result codes are the SUBACK's reason codes, one item per filter in order.
        await OnSubscribedAsync([.. result.Items.Select(item => (int)item.ResultCode)], PublishAsync, ct);
    }

    private MqttClientOptions BuildClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(Options.Host, Options.Port)
            .WithClientId(Options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(Options.SessionExpirySeconds)
            .WithReceiveMaximum((ushort)Options.ReceiveMaximum)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(Options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (Options.Username.Length > 0) builder.WithCredentials(Options.Username, Options.Password);
        if (Sparkplug.NewConnectionWill() is { } will)
            builder.WithWillTopic(will.Topic).WithWillPayload(will.Payload.ToArray())
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain(will.Retain);
        if (Options.UseTls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls();
                if (BrokerCa.Load(Options) is { } ca) tls.WithTrustChain(ca);
                if (ClientCertificate.Load(Options) is { } certificate) tls.WithClientCertificates([certificate]);
            });
        }
        var options = builder.Build();
        // MQTTnet sizes the socket buffers to this (8 KiB by default), which disables the kernel's
        // auto-tuning and stalls a QoS 1 flood on loopback at ~150 msg/s. See docs/architecture.md.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = Options.SocketBufferBytes;
        return options;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        AckHandle? ack = null;
        if (message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
        {
            e.AutoAcknowledge = false;
            ack = new AckHandle(new HeldAck(this, _connection!, e), e.PacketIdentifier);
        }
        return _pipeline!.AcceptAsync(new ReceivedMessage(message.Topic, message.Payload, message.Retain, message.ContentType, ack)).AsTask();
    }

    private async ValueTask AwaitAckAsync(Task ack)
    {
        try
        {
            await ack;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AckNotSent();
            Logger.LogDebug("Acknowledgement not sent: {Error}", e.Message);
        }
    }

    public override async Task PublishAsync(OutgoingMessage message, CancellationToken ct)
    {
        if (!_client.IsConnected) throw new SourceUnavailableException("not connected to the MQTT broker");
        MqttClientPublishResult result;
        try
        {
            result = await _client.PublishAsync(message.ToMqttNet(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new SourceUnavailableException($"publish not acknowledged: {e.Message}");
        }
        if (!result.IsSuccess) throw new SourceUnavailableException($"the broker refused the publish: {result.ReasonCode}");
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        OnConnectionEnded();
        _connection?.End();
        if (e.ClientWasConnected && !_stopping)
            Logger.LogWarning("Disconnected from MQTT broker: {Reason} {Error}", e.ReasonString ?? e.Reason.ToString(), e.Exception?.Message);
        return Task.CompletedTask;
    }

    protected override async Task UnsubscribeAsync(CancellationToken ct)
    {
        var unsubscribe = new MqttClientUnsubscribeOptionsBuilder();
        foreach (var filter in Filters) unsubscribe.WithTopicFilter(filter);
        var result = await _client.UnsubscribeAsync(unsubscribe.Build(), ct);
        foreach (var item in result.Items)
            if (item.ResultCode is not (MqttClientUnsubscribeResultCode.Success or MqttClientUnsubscribeResultCode.NoSubscriptionExisted))
                throw new IOException($"broker refused UNSUBSCRIBE: {item.ResultCode}");
    }

    private async Task SafeDisconnectAsync()
    {
        try
        {
            // With the Sparkplug host on, the broker publishes the STATE will (offline) on this DISCONNECT too.
            var disconnect = new MqttClientDisconnectOptionsBuilder().WithReason(Sparkplug.Enabled
                ? MqttClientDisconnectOptionsReason.DisconnectWithWillMessage
                : MqttClientDisconnectOptionsReason.NormalDisconnection);
            if (EndsSession) disconnect.WithSessionExpiryInterval(0);
            await _client.DisconnectAsync(disconnect.Build());
        }
        catch (Exception e)
        {
            Logger.LogDebug("MQTT disconnect: {Error}", e.Message);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_client.IsConnected)
        {
            await SafeDisconnectAsync();
            Logger.LogInformation("Disconnected from MQTT broker");
        }
        _connection?.End();
        _client.Dispose();
    }
}
