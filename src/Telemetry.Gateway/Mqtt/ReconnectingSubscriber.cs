using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Sources;
using Telemetry.Pipeline.Batching;

namespace Telemetry.Gateway.Mqtt;

/// <summary>
/// Subscriber mode, whichever client (<c>Mqtt:Client</c>): connect, subscribe, serve until the connection ends,
/// then reconnect with jittered backoff; the connection state and the counters both clients report.
/// A client implements one connection's life in <see cref="ConnectAndServeAsync"/>; its acknowledgement
/// targets are its connections, which refuse acknowledgements once closed (<see cref="AckNotSent"/>).
/// </summary>
internal abstract class ReconnectingSubscriber(MqttOptions options, ILogger logger) : IMessageSource
{
    private static readonly SourceState NotConnected = new(false, "not connected to the MQTT broker");
    private static readonly SourceState Subscribed = new(true, "connected");
    private volatile SourceState _state = NotConnected;
    private long _connections;
    private bool _subscribedThisConnection;
    private long _acksNotSent;

    protected MqttOptions Options { get; } = options;
    protected ILogger Logger { get; } = logger;

    public string Name => "mqtt";
    /// <summary>Ready once the subscription is in place, until the connection ends.</summary>
    public SourceState State => _state;
    /// <summary>Connections the broker accepted, the first included.</summary>
    public long Connections => Interlocked.Read(ref _connections);
    /// <summary>
    /// Acknowledgements not sent: their connection was gone (a PUBACK on a later connection could carry a
    /// packet id the broker has given to another message), or the write that carried them failed. The broker redelivers those messages.
    /// </summary>
    public long AcksNotSent => Interlocked.Read(ref _acksNotSent);

    public void AddInstruments(Meter meter, string prefix)
    {
        meter.CreateObservableUpDownCounter(prefix + "mqtt.connected", () => State.Ready ? 1 : 0, "", "1 while connected and subscribed to the MQTT broker");
        meter.CreateObservableCounter(prefix + "mqtt.stale_acks", () => AcksNotSent, "{ack}",
            "Acknowledgements not sent because their connection was gone or its write failed (the broker redelivers those messages)");
        meter.CreateObservableCounter(prefix + "mqtt.reconnects", () => Math.Max(0, Connections - 1), "{connection}",
            "Reconnections to the MQTT broker after the first connection");
    }

    public async Task RunAsync(IngestPipeline pipeline, CancellationToken ct)
    {
        int delayMs = Options.ReconnectMinDelayMs;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ConnectAndServeAsync(pipeline, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Logger.LogWarning("MQTT connection to {Host}:{Port} failed: {Error}; retrying in {Delay} ms",
                    Options.Host, Options.Port, e.Message, delayMs);
            }
            finally
            {
                // A connection that got as far as its subscription starts the backoff afresh.
                if (_subscribedThisConnection) delayMs = Options.ReconnectMinDelayMs;
                _subscribedThisConnection = false;
                _state = NotConnected;
            }
            if (ct.IsCancellationRequested) break;
            await ReconnectDelay.WaitAsync(delayMs, ct);
            delayMs = ReconnectDelay.Next(delayMs, Options.ReconnectMaxDelayMs);
        }
    }

    /// <summary>
    /// One connection: connects (then calls <see cref="OnConnected"/>), subscribes (<see cref="OnSubscribed"/>), and receives until the
    /// connection ends (returning or throwing) or <paramref name="ct"/> is cancelled (the connection then stays
    /// open for acknowledgements until disposed). A connection that failed is closed before this returns.
    /// </summary>
    protected abstract Task ConnectAndServeAsync(IngestPipeline pipeline, CancellationToken ct);

    public abstract Task PublishAsync(OutgoingMessage message, CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    protected void OnConnected(bool sessionPresent)
    {
        Interlocked.Increment(ref _connections);
        Logger.LogInformation("Connected to MQTT broker {Host}:{Port} as {ClientId} (session present: {SessionPresent})",
            Options.Host, Options.Port, Options.ClientId, sessionPresent);
    }

    protected void OnSubscribed(int grantedQos)
    {
        Logger.LogInformation("Subscribed to {Filter} (granted QoS {Qos})", Options.TopicFilter, grantedQos);
        _subscribedThisConnection = true;
        _state = Subscribed;
    }

    protected void OnConnectionEnded() => _state = NotConnected;

    protected void AckNotSent(int count = 1) => Interlocked.Add(ref _acksNotSent, count);

    protected InvalidOperationException SubscriptionRefused(string reason) =>
        new($"broker refused subscription to '{Options.TopicFilter}': {reason}");
}
