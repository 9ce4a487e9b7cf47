using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Sparkplug;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Sources;

namespace Telemetry.Gateway.Sparkplug;

/// <summary>
/// What the Sparkplug host sends on its own, every <see cref="Tick"/>: asks the decoder for <c>seq</c> gaps past the reorder
/// timeout, publishes an NCMD <c>Node Control/Rebirth</c> for every rebirth request the decoder has queued, and publishes the
/// STATE birth again after a stray offline on its own id. In embedded-broker mode (no CONNECT, so no will) it also puts the
/// STATE birth in the broker, retained, once the broker listens.
/// </summary>
/// <remarks>
/// Threading: the decoder runs on the pipeline's thread (the MQTT receive thread, or the embedded broker's publish handlers),
/// under the pipeline's lock. This service never decodes: <see cref="SparkplugDecoder.CheckReorderTimeouts"/> takes the
/// decoder's own session lock for a moment, and the requests come through a <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/>.
/// Publishing waits for the broker's PUBACK here, on the thread pool, never on the receive thread (which must go on reading
/// for that PUBACK to arrive). A request that cannot be sent (no connection) is dropped and counted: the decoder asks again
/// after <c>Sparkplug:RebirthIntervalMs</c> while the gap stays open, and a node's next DATA after a restart asks anyway.
/// </remarks>
internal sealed class SparkplugHostService(
    PayloadDecoder decoder,
    IMessageSource source,
    SparkplugHost host,
    IOptions<GatewayOptions> gateway,
    ILogger<SparkplugHostService> logger,
    TimeProvider? time = null) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _rebirthsSent, _rebirthsFailed;

    public long RebirthsSent => Interlocked.Read(ref _rebirthsSent);
    /// <summary>Rebirth requests not sent: no connection, or the broker did not acknowledge them in time.</summary>
    public long RebirthsFailed => Interlocked.Read(ref _rebirthsFailed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sparkplug = decoder.Sparkplug;
        if (!host.Enabled)
        {
            await DiscardRequestsAsync(sparkplug, stoppingToken);
            return;
        }
        bool embedded = gateway.Value.Mode == GatewayMode.EmbeddedBroker;
        bool stateInBroker = false;
        using var timer = new PeriodicTimer(Tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                sparkplug.CheckReorderTimeouts(_time.GetUtcNow().ToUnixTimeMilliseconds());
                if (embedded && source.State.Ready && !stateInBroker) stateInBroker = await PublishStateAsync(stoppingToken);
                if (!embedded && sparkplug.TakeOwnStateOffline())
                {
                    logger.LogInformation("Sparkplug host {HostId}: a STATE offline arrived on its own id; publishing online again", host.HostId);
                    await PublishStateAsync(stoppingToken);
                }
                while (sparkplug.RebirthRequests.TryDequeue(out var request)) await RequestRebirthAsync(request.GroupId, request.EdgeNodeId, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>
    /// Host off: <c>spBv1.0/</c> messages that still arrive (a fleet filter such as <c>#</c>) are decoded, but nobody is asked
    /// to rebirth; the queue is emptied so it cannot grow.
    /// </summary>
    private static async Task DiscardRequestsAsync(SparkplugDecoder sparkplug, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) sparkplug.RebirthRequests.Clear();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task<bool> PublishStateAsync(CancellationToken ct)
    {
        if (await TryPublishAsync(host.Birth(), ct) is { } error)
        {
            logger.LogWarning("Sparkplug host {HostId}: STATE online not published: {Error}", host.HostId, error);
            return false;
        }
        host.BirthPublished();
        return true;
    }

    private async Task RequestRebirthAsync(string groupId, string edgeNodeId, CancellationToken ct)
    {
        var command = new OutgoingMessage(HostMessages.NodeCommandTopic(groupId, edgeNodeId), HostMessages.Rebirth(_time.GetUtcNow().ToUnixTimeMilliseconds()));
        if (await TryPublishAsync(command, ct) is { } error)
        {
            Interlocked.Increment(ref _rebirthsFailed);
            logger.LogDebug("Sparkplug rebirth request to {Group}/{Node} not sent: {Error}", groupId, edgeNodeId, error);
            return;
        }
        Interlocked.Increment(ref _rebirthsSent);
        logger.LogDebug("Sparkplug rebirth requested from {Group}/{Node}", groupId, edgeNodeId);
    }

    /// <summary>Null when the broker acknowledged it; otherwise why not.</summary>
    private async Task<string?> TryPublishAsync(OutgoingMessage message, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            await source.PublishAsync(message, timeout.Token);
            return null;
        }
        catch (SourceUnavailableException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no acknowledgement within {PublishTimeout.TotalSeconds:0} s";
        }
    }
}
