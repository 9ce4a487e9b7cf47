using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Mqtt.Wire;
using Telemetry.Gateway.Sources;
using Telemetry.Gateway.Sparkplug;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.Counters;

namespace Telemetry.Gateway.Mqtt;

/// <summary>
/// Subscriber mode, whichever client (<c>Mqtt:Client</c>): connect, subscribe, serve until the connection ends,
/// then reconnect with jittered backoff; the connection state and the counters both clients report.
/// A client implements one connection's life in <see cref="ConnectAndServeAsync"/>; its acknowledgement
/// targets are its connections, which refuse acknowledgements once closed (<see cref="AckNotSent"/>).
/// With the Sparkplug host on, every connection also subscribes to its filters, carries the host's STATE will in its
/// CONNECT, and publishes the STATE birth once subscribed (<see cref="OnSubscribedAsync"/>).
/// </summary>
internal abstract class ReconnectingSubscriber(MqttOptions options, SparkplugHost sparkplug, ILogger logger) : IMessageSource
{
    private static readonly TimeSpan StateBirthTimeout = TimeSpan.FromSeconds(10);
    private static readonly SourceState NotConnected = new(false, "not connected to the MQTT broker");
    private static readonly SourceState Subscribed = new(true, "connected");
    private volatile SourceState _state = NotConnected;
    private long _connections;
    private bool _subscribedThisConnection;
    private long _acksNotSent;

    protected MqttOptions Options { get; } = options;
    protected SparkplugHost Sparkplug { get; } = sparkplug;
    protected ILogger Logger { get; } = logger;
    /// <summary>Subscribed on every connection, in one SUBSCRIBE: the fleet filter first, then the Sparkplug host's.</summary>
    protected IReadOnlyList<string> Filters { get; } = [options.TopicFilter, .. sparkplug.Filters];

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

    /// <summary>
    /// Receives until <paramref name="ct"/> is cancelled. Then, when it leaves on stop (<see cref="MqttOptions.EndSessionOnStop"/>),
    /// it first leaves (<see cref="LeaveAsync"/>) and only then stops reading.
    /// </summary>
    public async Task RunAsync(IngestPipeline pipeline, CancellationToken ct)
    {
        using var receiving = new CancellationTokenSource();
        Task? leaving = null;
        using (ct.Register(() =>
        {
            if (LeavesOnStop && State.Ready) leaving = LeaveAsync(pipeline, receiving);
            else receiving.Cancel();
        }))
        {
            await ReconnectLoopAsync(pipeline, receiving.Token, ct);
        }
        if (leaving is not null) await leaving;
    }

    private async Task ReconnectLoopAsync(IngestPipeline pipeline, CancellationToken receiving, CancellationToken stopping)
    {
        int delayMs = Options.ReconnectMinDelayMs;
        while (!receiving.IsCancellationRequested)
        {
            try
            {
                await ConnectAndServeAsync(pipeline, receiving);
            }
            catch (OperationCanceledException) when (receiving.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                if (!stopping.IsCancellationRequested)
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
            // Not while leaving either: a new connection would subscribe again.
            if (receiving.IsCancellationRequested || stopping.IsCancellationRequested) break;
            await ReconnectDelay.WaitAsync(delayMs, stopping);
            delayMs = ReconnectDelay.Next(delayMs, Options.ReconnectMaxDelayMs);
        }
    }

    private bool LeavesOnStop => Options.EndSessionOnStop switch
    {
        SessionEnd.Always => true,
        SessionEnd.Never => false,
        _ => Options.TopicFilter.StartsWith("$share/", StringComparison.Ordinal),
    };

    /// <summary>Set once a leave has written and acknowledged everything: the DISCONNECT then ends the session (expiry 0).</summary>
    public bool EndsSession { get; private set; }

    /// <summary>Messages received after the UNSUBSCRIBE of the last leave (what the broker had already dealt this member).</summary>
    public long ReceivedWhileLeaving { get; private set; }

    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Leaves the subscription without leaving anything behind: UNSUBSCRIBE, so the broker deals this member nothing new;
    /// then receive what it had already sent or queued (the acknowledgements free its in-flight window, which may release
    /// more), until a round of writing and acknowledging brings nothing more. Only then is the session ended (mosquitto
    /// does not give a departed shared member's messages to the others: ending the session with messages unacknowledged
    /// would lose them). If any step fails, the session is kept, with what it holds.
    /// </summary>
    private async Task LeaveAsync(IngestPipeline pipeline, CancellationTokenSource receiving)
    {
        await Task.Yield(); // off the thread that is stopping the host
        var counters = pipeline.Counters;
        long atStart = counters.Messages;
        try
        {
            Logger.LogInformation("Leaving {Filter}: unsubscribing, writing and acknowledging what arrives, then ending session {ClientId}",
                string.Join(", ", Filters), Options.ClientId);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Options.LeaveTimeoutSeconds));
            await UnsubscribeAsync(timeout.Token);
            while (true)
            {
                await QuietAsync(counters, timeout.Token);
                long before = counters.Messages;
                if (!await pipeline.DrainAsync(TimeSpan.FromSeconds(Options.LeaveTimeoutSeconds), timeout.Token))
                    throw new TimeoutException("InfluxDB did not take the last batches in time");
                await Task.Delay(QuietPeriod, timeout.Token);
                if (counters.Messages == before && pipeline.PendingBatches == 0) break;
            }
            if (!State.Ready) throw new IOException("the connection ended while leaving");
            EndsSession = true;
            ReceivedWhileLeaving = counters.Messages - atStart;
            Logger.LogInformation("Left {Filter}: {Messages} messages received after unsubscribing, all written and acknowledged; ending the session",
                Options.TopicFilter, ReceivedWhileLeaving);
        }
        catch (Exception e)
        {
            Logger.LogWarning("Could not leave {Filter} cleanly ({Error}); session {ClientId} is kept with what the broker holds for it " +
                "(restart with this client id, or run telemetry-gateway mqtt drain-session --client-id {ClientId})",
                Options.TopicFilter, e is OperationCanceledException ? $"not done within Mqtt:LeaveTimeoutSeconds ({Options.LeaveTimeoutSeconds} s)" : e.Message,
                Options.ClientId, Options.ClientId);
        }
        finally
        {
            await receiving.CancelAsync();
        }
    }

    /// <summary>Until no message has arrived for <see cref="QuietPeriod"/>.</summary>
    private static async Task QuietAsync(PipelineCounters counters, CancellationToken ct)
    {
        long last = counters.Messages;
        while (true)
        {
            await Task.Delay(QuietPeriod, ct);
            long now = counters.Messages;
            if (now == last) return;
            last = now;
        }
    }

    /// <summary>Sends UNSUBSCRIBE for every one of <see cref="Filters"/> and waits for the UNSUBACK.</summary>
    protected abstract Task UnsubscribeAsync(CancellationToken ct);

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

    /// <summary>
    /// The SUBACK's reason codes, one per <see cref="Filters"/> entry. The fleet filter refused ends the connection; a Sparkplug
    /// filter refused (a broker ACL) leaves the gateway without its host role on this connection, with a warning. Otherwise the
    /// STATE birth is published (<paramref name="publish"/>: the client's own QoS 1 path), after the subscriptions as Sparkplug 3.0 asks.
    /// </summary>
    protected async Task OnSubscribedAsync(IReadOnlyList<int> reasonCodes, Func<OutgoingMessage, CancellationToken, Task> publish, CancellationToken ct)
    {
        if (reasonCodes.Count == 0 || reasonCodes[0] > 2) throw SubscriptionRefused(reasonCodes.Count == 0 ? "no reason code" : ReasonCodes.Describe((byte)reasonCodes[0]));
        Logger.LogInformation("Subscribed to {Filter} (granted QoS {Qos})", Options.TopicFilter, reasonCodes[0]);
        bool sparkplugSubscribed = Sparkplug.Enabled;
        for (int i = 1; i < Filters.Count; i++)
        {
            if (i < reasonCodes.Count && reasonCodes[i] <= 2) continue;
            sparkplugSubscribed = false;
            Logger.LogWarning("Broker refused the Sparkplug subscription to {Filter} ({Reason}): no Sparkplug host on this connection (set Sparkplug:Enabled=false if that is meant)",
                Filters[i], i < reasonCodes.Count ? ReasonCodes.Describe((byte)reasonCodes[i]) : "no reason code");
        }
        if (sparkplugSubscribed)
        {
            Logger.LogInformation("Sparkplug host {HostId}: subscribed to {Filters}", Sparkplug.HostId, string.Join(", ", Filters.Skip(1)));
            await PublishStateBirthAsync(publish, ct);
        }
        _subscribedThisConnection = true;
        _state = Subscribed;
    }

    private async Task PublishStateBirthAsync(Func<OutgoingMessage, CancellationToken, Task> publish, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StateBirthTimeout);
        try
        {
            await publish(Sparkplug.Birth(), timeout.Token);
            Sparkplug.BirthPublished();
            Logger.LogInformation("Sparkplug host {HostId}: STATE online published on {Topic}", Sparkplug.HostId, Sparkplug.StateTopic);
        }
        catch (Exception e) when (e is SourceUnavailableException || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            // Data still flows; edge nodes that wait for this host see it offline until the next connection or a stray offline.
            Logger.LogWarning("Sparkplug host {HostId}: STATE online not published on {Topic}: {Error}", Sparkplug.HostId, Sparkplug.StateTopic,
                e is OperationCanceledException ? $"no acknowledgement within {StateBirthTimeout.TotalSeconds:0} s" : e.Message);
        }
    }

    protected void OnConnectionEnded() => _state = NotConnected;

    protected void AckNotSent(int count = 1) => Interlocked.Add(ref _acksNotSent, count);

    protected InvalidOperationException SubscriptionRefused(string reason) =>
        new($"broker refused subscription to '{Options.TopicFilter}': {reason}");
}
