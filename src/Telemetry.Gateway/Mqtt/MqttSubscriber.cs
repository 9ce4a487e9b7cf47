using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Telemetry.Gateway.Configuration;
using Telemetry.Pipeline.Batching;

namespace Telemetry.Gateway.Mqtt;

/// <summary>
/// Subscriber mode on MQTTnet's client (<c>Mqtt:Client=MQTTnet</c>): a persistent session (clean start off plus a session expiry),
/// QoS 1 with acknowledgements held until the pipeline says the points are safe, and reconnection
/// with exponential backoff. Messages go straight into the <see cref="IngestPipeline"/>.
/// </summary>
public sealed class MqttSubscriber : IMqttSubscriber
{
    private readonly MqttOptions _options;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private IngestPipeline? _pipeline;
    private long _epoch;
    private long _staleAcksSkipped;
    private volatile bool _stopping;
    private readonly SemaphoreSlim _disconnected = new(0);

    public MqttSubscriber(IOptions<MqttOptions> options, ILogger<MqttSubscriber> logger)
    {
        _options = options.Value;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    public bool IsConnected => _client.IsConnected;
    public long StaleAcksSkipped => Interlocked.Read(ref _staleAcksSkipped);

    public async Task RunAsync(IngestPipeline pipeline, CancellationToken ct)
    {
        _pipeline = pipeline;
        var clientOptions = BuildClientOptions();
        int delayMs = _options.ReconnectMinDelayMs;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var result = await _client.ConnectAsync(clientOptions, ct);
                Interlocked.Increment(ref _epoch);
                _logger.LogInformation("Connected to MQTT broker {Host}:{Port} as {ClientId} (session present: {SessionPresent})",
                    _options.Host, _options.Port, _options.ClientId, result.IsSessionPresent);
                await SubscribeAsync(ct);
                delayMs = _options.ReconnectMinDelayMs;
                await _disconnected.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogWarning("MQTT connection to {Host}:{Port} failed: {Error}; retrying in {Delay} ms",
                    _options.Host, _options.Port, e.Message, delayMs);
                if (_client.IsConnected) await SafeDisconnectAsync();
            }
            if (ct.IsCancellationRequested) break;
            await ReconnectDelay.WaitAsync(delayMs, ct);
            delayMs = ReconnectDelay.Next(delayMs, _options.ReconnectMaxDelayMs);
        }
    }

    private async Task SubscribeAsync(CancellationToken ct)
    {
        var qos = _options.Qos == 1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce;
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_options.TopicFilter).WithQualityOfServiceLevel(qos)
                .WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly))
            .Build();
        var result = await _client.SubscribeAsync(subscribe, ct);
        foreach (var item in result.Items)
        {
            if ((int)item.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2)
                throw new InvalidOperationException($"broker refused subscription to '{_options.TopicFilter}': {item.ResultCode}");
            _logger.LogInformation("Subscribed to {Filter} ({Result})", _options.TopicFilter, item.ResultCode);
        }
    }

    private MqttClientOptions BuildClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(_options.SessionExpirySeconds)
            .WithReceiveMaximum((ushort)_options.ReceiveMaximum)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(_options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (_options.Username.Length > 0) builder.WithCredentials(_options.Username, _options.Password);
        if (_options.UseTls)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls();
                if (_options.CaFile.Length > 0)
                {
                    var ca = new X509Certificate2Collection();
                    ca.ImportFromPemFile(_options.CaFile);
                    tls.WithTrustChain(ca);
                }
            });
        }
        var options = builder.Build();
        // MQTTnet sizes the socket buffers to this (8 KiB by default), which disables the kernel's
        // auto-tuning and stalls a QoS 1 flood on loopback at ~150 msg/s. See docs/architecture.md.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = _options.SocketBufferBytes;
        return options;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        AckHandle? ack = null;
        if (message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
        {
            e.AutoAcknowledge = false;
            ack = new AckHandle(e, Interlocked.Read(ref _epoch));
        }
        return _pipeline!.AcceptAsync(message.Topic, message.Payload, message.Retain, ack).AsTask();
    }

    public ValueTask AcknowledgeAsync(AckHandle handle, CancellationToken ct)
    {
        // A PUBACK for a message of an earlier connection would carry a packet id that the broker
        // may by now have given to another message: skip it; the broker redelivers the message.
        if (handle.ConnectionEpoch != Interlocked.Read(ref _epoch) || !_client.IsConnected)
        {
            Interlocked.Increment(ref _staleAcksSkipped);
            return default;
        }
        var task = ((MqttApplicationMessageReceivedEventArgs)handle.Token).AcknowledgeAsync(ct);
        return task.IsCompletedSuccessfully ? default : AwaitAckAsync(task);
    }

    private async ValueTask AwaitAckAsync(Task ack)
    {
        try
        {
            await ack;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogDebug("Acknowledgement not sent: {Error}", e.Message);
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (e.ClientWasConnected && !_stopping)
        {
            _logger.LogWarning("Disconnected from MQTT broker: {Reason} {Error}", e.ReasonString ?? e.Reason.ToString(), e.Exception?.Message);
            _disconnected.Release();
        }
        return Task.CompletedTask;
    }

    private async Task SafeDisconnectAsync()
    {
        try
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build());
        }
        catch (Exception e)
        {
            _logger.LogDebug("MQTT disconnect: {Error}", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_client.IsConnected)
        {
            await SafeDisconnectAsync();
            _logger.LogInformation("Disconnected from MQTT broker");
        }
        _client.Dispose();
        _disconnected.Dispose();
    }
}
