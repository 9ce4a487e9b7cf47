using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;
using Telemetry.Contract.Topics;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Devices;
using Telemetry.Gateway.Sources;
using Telemetry.Gateway.Sparkplug;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.DeadLetters;

namespace Telemetry.Gateway.Broker;

/// <summary>
/// Embedded-broker mode: vehicles connect to the gateway (MQTTnet.Server), each as a device of the
/// registry, and what they publish goes straight into the <see cref="IngestPipeline"/>. Nothing is routed
/// to subscribers or retained: the gateway is the only consumer (every publish ends with ProcessPublish = false).
/// </summary>
internal sealed class EmbeddedBroker : IMessageSource
{
    public const string NotAuthorizedReason = "not_authorized";
    /// <summary>The sender of the gateway's own publishes: not a device id (those are validated vehicle ids), so never a device's session.</summary>
    private const string GatewayClientId = "$gateway";
    private static readonly SourceState Listening = new(true, "listening");
    private static readonly SourceState NotListening = new(false, "embedded broker not listening");

    private readonly BrokerOptions _options;
    private readonly SparkplugHost _sparkplug;
    private readonly DeviceRegistry _registry;
    private readonly BrokerCounters _counters;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RefusalLog _refusals;
    private readonly ListenerCertificates? _certificates;
    // Keyed by client id, which is always the device id: bounded by the registry's size.
    private readonly ConcurrentDictionary<string, DeviceSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private MqttServer? _server;
    private IngestPipeline? _pipeline;
    private DeadLetterFile? _deadLetters;
    private int _inFlight;
    private int _connected;
    private volatile bool _stopping;

    private sealed class DeviceSession(DeviceEntry device, TokenBucket bucket)
    {
        public DeviceEntry Device { get; } = device;
        public TokenBucket Bucket { get; } = bucket;
        public volatile bool Revoked;
    }

    public EmbeddedBroker(IOptions<BrokerOptions> options, DeviceRegistry registry, BrokerCounters counters, SparkplugHost sparkplug,
        ILogger<EmbeddedBroker> logger, TimeProvider? time = null)
    {
        _options = options.Value;
        _sparkplug = sparkplug;
        _registry = registry;
        _counters = counters;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _refusals = new RefusalLog(logger, _time);
        if (_options.Tls.Enabled) _certificates = new ListenerCertificates(_options.Tls);
    }

    /// <summary>A device's QoS 1 publish with <c>Broker:Acknowledge=Written</c>: its PUBACK waits for this, completed once its points are safe.</summary>
    private sealed class PublishWritten() : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), IAckTarget
    {
        public ValueTask AcknowledgeAsync(ushort packetId, CancellationToken ct)
        {
            TrySetResult();
            return default;
        }
    }

    public string Name => "broker";
    public SourceState State => _server?.IsStarted == true && !_stopping ? Listening : NotListening;

    /// <summary>Devices connected now.</summary>
    public int ConnectedDevices => Volatile.Read(ref _connected);

    /// <summary>Whether it listens, the devices connected and registered, and <see cref="BrokerCounters"/>, on the gateway's meter.</summary>
    public void AddInstruments(System.Diagnostics.Metrics.Meter meter, string prefix)
    {
        var c = _counters;
        meter.CreateObservableUpDownCounter(prefix + "broker.listening", () => State.Ready ? 1 : 0, "", "1 while the embedded broker accepts connections");
        meter.CreateObservableUpDownCounter(prefix + "broker.devices.connected", () => ConnectedDevices, "{device}", "Devices connected to the embedded broker now");
        meter.CreateObservableUpDownCounter(prefix + "broker.devices.registered", () => _registry.Count, "{device}", "Devices in the registry, enabled or not");
        meter.CreateObservableUpDownCounter(prefix + "broker.devices.legacy_password_hashes", () => _registry.LegacyPasswordHashes, "{device}",
            "Devices whose password hash is still in the first form (move them with devices rehash)");
        meter.CreateObservableCounter(prefix + "broker.connections.accepted", () => c.ConnectionsAccepted, "{connection}", "Device connections accepted");
        meter.CreateObservableCounter(prefix + "broker.connections.refused", () => c.ConnectionsRefused, "{connection}",
            "Connections refused: unknown device, wrong password, disabled device, or a client id that is not the device id");
        meter.CreateObservableCounter(prefix + "broker.publishes.accepted", () => c.PublishesAccepted, "{message}", "Device publishes taken into the pipeline");
        meter.CreateObservableCounter(prefix + "broker.publishes.refused", () => new[]
            {
                new Measurement<long>(c.PublishesNotAuthorized, new KeyValuePair<string, object?>("reason", "not_authorized")),
                new Measurement<long>(c.PublishesRateLimited, new KeyValuePair<string, object?>("reason", "rate_limited")),
                new Measurement<long>(c.PublishesTooLarge, new KeyValuePair<string, object?>("reason", "too_large")),
            }, "{message}", "Device publishes refused: outside its own topics (not_authorized), over its rate (rate_limited) or over Broker:MaxPayloadBytes (too_large)");
        meter.CreateObservableCounter(prefix + "broker.subscriptions.refused", () => c.SubscriptionsRefused, "{subscription}", "Subscriptions outside the device's own topics, refused");
        meter.CreateObservableCounter(prefix + "broker.devices.disconnected", () => c.DevicesDisconnected, "{connection}",
            "Open connections closed because the registry disabled or changed their device");
    }

    public async Task RunAsync(IngestPipeline pipeline, CancellationToken ct)
    {
        _pipeline = pipeline;
        _deadLetters = pipeline.DeadLetters;
        _registry.Start();
        _registry.Changed += DisconnectRevokedDevices;
        _server = new MqttServerFactory().CreateMqttServer(BuildServerOptions());
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscription;
        _server.ClientConnectedAsync += _ => { Interlocked.Increment(ref _connected); return Task.CompletedTask; };
        _server.ClientDisconnectedAsync += _ => { Interlocked.Decrement(ref _connected); return Task.CompletedTask; };
        await _server.StartAsync();
        _logger.LogInformation("Embedded broker listening on {Address}: {Plain}, {Tls}; {Devices} devices in {Registry}; PUBACK when {Acknowledge}",
            _options.BindAddress, _options.Plain.Enabled ? $"MQTT port {_options.Plain.Port}" : "no plain listener",
            _options.Tls.Enabled ? $"MQTT over TLS port {_options.Tls.Port}{(_certificates!.RequestClientCertificate ? " (client certificates accepted)" : "")}" : "no TLS listener",
            _registry.Count, _registry.Path, _options.Acknowledge);
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException) { }
        await StopAsync();
    }

    private MqttServerOptions BuildServerOptions()
    {
        var address = IPAddress.Parse(_options.BindAddress);
        var builder = new MqttServerOptionsBuilder().WithPersistentSessions(false);
        if (_options.Plain.Enabled)
            builder.WithDefaultEndpoint().WithDefaultEndpointPort(_options.Plain.Port).WithDefaultEndpointBoundIPAddress(address)
                .WithDefaultEndpointBoundIPV6Address(IPAddress.None);
        else builder.WithoutDefaultEndpoint();
        if (_certificates is not null)
        {
            builder.WithEncryptedEndpoint().WithEncryptedEndpointPort(_options.Tls.Port).WithEncryptedEndpointBoundIPAddress(address)
                .WithEncryptedEndpointBoundIPV6Address(IPAddress.None).WithEncryptionCertificate(_certificates.ServerCertificate);
            if (_certificates.RequestClientCertificate)
                builder.WithClientCertificate(_certificates.ValidateClientCertificate, checkCertificateRevocation: false);
        }
        return builder.Build();
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var (device, refusal) = await AuthenticateAsync(e);
        if (device is null)
        {
            e.ReasonCode = refusal;
            _counters.ConnectionRefused();
            // Only a registered id is logged: anything else may be a password typed into the wrong field.
            string? knownDevice = e.UserName is { Length: > 0 } user && _registry.Find(user) is not null ? user : null;
            _refusals.Connection(e.RemoteEndPoint?.ToString() ?? "?", knownDevice, refusal);
            return;
        }
        var bucket = _buckets.GetOrAdd(device.Id, _ => new TokenBucket(_options.RateLimit.MessagesPerSecond, _options.RateLimit.Burst, _time));
        _sessions[device.Id] = new DeviceSession(device, bucket);
        _counters.ConnectionAccepted();
        _logger.LogDebug("Device {Device} connected from {Endpoint}", device.Id, e.RemoteEndPoint);
    }

    private async ValueTask<(DeviceEntry? Device, MqttConnectReasonCode Refusal)> AuthenticateAsync(ValidatingConnectionEventArgs e)
    {
        if (_stopping) return (null, MqttConnectReasonCode.ServerUnavailable);
        // The client id is the device id, so one device cannot take over (and cut off) another's session.
        string? certificateId = _certificates?.DeviceIdOf(e.ClientCertificate);
        if (certificateId is not null)
        {
            if (e.ClientId != certificateId || (e.UserName is { Length: > 0 } user && user != certificateId))
                return (null, MqttConnectReasonCode.ClientIdentifierNotValid);
            return _registry.FindEnabled(certificateId) is { } byCertificate
                ? (byCertificate, MqttConnectReasonCode.Success)
                : (null, MqttConnectReasonCode.NotAuthorized);
        }
        if (string.IsNullOrEmpty(e.UserName) || e.RawPassword is not { Length: > 0 } password)
            return (null, MqttConnectReasonCode.BadUserNameOrPassword);
        var device = await _registry.AuthenticateAsync(e.UserName, password, e.CancellationToken);
        if (device is null) return (null, MqttConnectReasonCode.BadUserNameOrPassword);
        if (e.ClientId != device.Id) return (null, MqttConnectReasonCode.ClientIdentifierNotValid);
        return (device, MqttConnectReasonCode.Success);
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId == GatewayClientId) return; // the gateway's own (PublishAsync): routed to the devices subscribed
        e.ProcessPublish = false;
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (_stopping)
            {
                e.Response.ReasonCode = MqttPubAckReasonCode.UnspecifiedError;
                return;
            }
            var message = e.ApplicationMessage;
            if (!_sessions.TryGetValue(e.ClientId, out var session) || session.Revoked
                || !TopicAcl.MayPublish(message.Topic, session.Device))
            {
                RefuseNotAuthorized(e, session?.Device.Id);
                return;
            }
            if (message.Payload.Length > _options.MaxPayloadBytes)
            {
                _counters.TooLarge();
                e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
                e.Response.ReasonString = "payload larger than the gateway accepts";
                return;
            }
            if (!session.Bucket.TryTake())
            {
                _counters.RateLimited();
                e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
                e.Response.ReasonString = "message rate limit";
                return;
            }

            // A vehicle's retained flag marks a live message here, not a replay on subscribe: pass retained = false.
            if (_options.Acknowledge == BrokerAcknowledge.Written && message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce)
            {
                var written = new PublishWritten();
                await _pipeline!.AcceptAsync(new ReceivedMessage(message.Topic, message.Payload, false, message.ContentType, new AckHandle(written)),
                    e.CancellationToken);
                await written.Task.WaitAsync(e.CancellationToken);
            }
            else
            {
                await _pipeline!.AcceptAsync(new ReceivedMessage(message.Topic, message.Payload, false, message.ContentType), e.CancellationToken);
            }
            _counters.PublishAccepted();
        }
        catch (OperationCanceledException)
        {
            // The connection closed before the message was safe: no success reaches the device, which sends it again.
            e.Response.ReasonCode = MqttPubAckReasonCode.UnspecifiedError;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void RefuseNotAuthorized(InterceptingPublishEventArgs e, string? deviceId)
    {
        e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        _counters.NotAuthorized();
        var message = e.ApplicationMessage;
        var payload = message.Payload.IsSingleSegment ? message.Payload.FirstSpan : System.Buffers.BuffersExtensions.ToArray(message.Payload);
        _deadLetters?.Write(_time.GetUtcNow(), message.Topic ?? "", NotAuthorizedReason, -1, default, payload,
            detail: $"device {deviceId ?? e.ClientId}");
        _refusals.Publish(deviceId ?? e.ClientId);
    }

    private Task InterceptSubscription(InterceptingSubscriptionEventArgs e)
    {
        if (!_sessions.TryGetValue(e.ClientId, out var session) || session.Revoked
            || !TopicAcl.MaySubscribe(e.TopicFilter.Topic, session.Device, _sparkplug.StateTopic))
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            _counters.SubscriptionRefused();
        }
        return Task.CompletedTask;
    }

    /// <summary>Delivered to the devices subscribed to the topic (QoS 1 to those subscribed at QoS 1); completes once the broker has queued it.</summary>
    public async Task PublishAsync(OutgoingMessage message, CancellationToken ct)
    {
        if (State is not { Ready: true } || _server is null) throw new SourceUnavailableException("the embedded broker is not listening");
        await _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message.ToMqttNet()) { SenderClientId = GatewayClientId }, ct);
    }

    /// <summary>After a registry reload: connections of devices now removed, disabled or changed are closed and their publishes refused.</summary>
    private void DisconnectRevokedDevices()
    {
        foreach (var (clientId, session) in _sessions)
        {
            var current = _registry.Find(clientId);
            if (current is { Enabled: true } && current.Site == session.Device.Site && current.Kind == session.Device.Kind
                && current.PasswordHash == session.Device.PasswordHash && current.Sparkplug == session.Device.Sparkplug)
                continue;
            session.Revoked = true;
            _sessions.TryRemove(new KeyValuePair<string, DeviceSession>(clientId, session));
            _counters.DeviceDisconnected();
            _logger.LogInformation("Device {Device} was disabled or changed in the registry: closing its connection", clientId);
            _ = DisconnectQuietlyAsync(clientId);
        }
    }

    private async Task DisconnectQuietlyAsync(string clientId)
    {
        try
        {
            if (_server is not null)
                await _server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized });
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    /// <summary>Refuses new work, closes every connection, then waits for publishes already inside the pipeline call.</summary>
    private async Task StopAsync()
    {
        _stopping = true;
        if (_server is { IsStarted: true }) await _server.StopAsync(new MqttServerStopOptions());
        var deadline = _time.GetTimestamp() + 5 * _time.TimestampFrequency;
        while (Volatile.Read(ref _inFlight) > 0 && _time.GetTimestamp() < deadline) await Task.Delay(10);
        _logger.LogInformation("Embedded broker stopped");
    }

    public ValueTask DisposeAsync()
    {
        _registry.Changed -= DisconnectRevokedDevices;
        _server?.Dispose();
        _certificates?.ServerCertificate.Dispose();
        return ValueTask.CompletedTask;
    }
}
