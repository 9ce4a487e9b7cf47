using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Contract.Catalogue;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Sources;
using Telemetry.Gateway.Sparkplug;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.DeadLetters;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Quality;

namespace Telemetry.Gateway.Hosting;

/// <summary>
/// Runs the gateway: reaches InfluxDB, gives the pipeline its writers, feeds it from the message source, and on
/// stop drains: open batches are written and acknowledged before the source closes its connections.
/// </summary>
internal sealed class GatewayService(
    IOptions<GatewayOptions> gatewayOptions,
    IOptions<InfluxOptions> influxOptions,
    IOptions<BatchingOptions> batchingOptions,
    IOptions<MqttOptions> mqttOptions,
    IOptions<QualityOptions> qualityOptions,
    SignalCatalogue catalogue,
    IngestPipeline pipeline,
    DeadLetterFile deadLetters,
    PipelineCounters counters,
    QualityTracker quality,
    IMessageSource source,
    SparkplugHost sparkplug,
    GatewayStartup startup,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<GatewayService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var gateway = gatewayOptions.Value;
        var influx = influxOptions.Value;
        _logger.LogInformation("Signal catalogue: {Kinds} kinds ({Names}), {Events} event types",
            catalogue.Kinds.Count, string.Join(", ", catalogue.Kinds.Select(k => k.Name)), catalogue.EventTypes.Count);
        WarnIfReceiveMaximumThrottles();
        if (sparkplug.Enabled && gateway.Mode == GatewayMode.Subscriber && mqttOptions.Value.TopicFilter.StartsWith("$share/", StringComparison.Ordinal))
            _logger.LogWarning("Mqtt:TopicFilter is shared, but the Sparkplug host is on in every instance: each receives all of {Filter} and publishes STATE as {HostId}. " +
                "Keep it on in one instance and set Sparkplug:Enabled=false in the others (docs/scaling.md)", sparkplug.Filters[0], sparkplug.HostId);

        using var http = InfluxWriter.CreateHttpClient(influx);
        var server = await ConnectInfluxAsync(http, influx, stoppingToken);
        if (server is null) return;
        int writerCount = influx.Writers + (pipeline.Spool is null ? 0 : 1);
        var writers = Enumerable.Range(0, writerCount).Select(_ => InfluxWriter.Create(http, influx, server.Api)).ToArray();
        using var qualityWriter = InfluxWriter.Create(http, influx, server.Api);
        var qualityReporter = NewQualityReporter(qualityWriter);

        using var pipelineStop = new CancellationTokenSource();
        var pipelineRun = pipeline.RunAsync(writers, pipelineStop.Token);
        var qualityRun = qualityReporter?.RunAsync(pipelineStop.Token) ?? Task.CompletedTask;
        var stats = ReportStatsAsync(gateway.StatsIntervalSeconds, stoppingToken);

        await source.RunAsync(pipeline, stoppingToken);

        _logger.LogInformation("Stopping: writing and acknowledging open batches (up to {Timeout} s)", gateway.ShutdownTimeoutSeconds);
        bool drained = await pipeline.DrainAsync(TimeSpan.FromSeconds(gateway.ShutdownTimeoutSeconds));
        if (!drained)
            _logger.LogWarning("Shutdown timeout: {Pending} batch(es) not acknowledged; the broker will redeliver their messages", pipeline.PendingBatches);
        await source.DisposeAsync();
        await pipelineStop.CancelAsync();
        await pipelineRun;
        await qualityRun;
        if (qualityReporter is not null) await WriteLastQualityAsync(qualityReporter);
        deadLetters.Flush();
        await stats;
        foreach (var writer in writers) writer.Dispose();
        LogTotals();
    }

    private QualityReporter? NewQualityReporter(InfluxWriter writer)
    {
        var options = qualityOptions.Value;
        if (!options.Enabled) return null;
        if (gatewayOptions.Value.Mode == GatewayMode.Subscriber && mqttOptions.Value.TopicFilter.StartsWith("$share/", StringComparison.Ordinal))
            _logger.LogInformation("Shared subscription: per-vehicle seq gaps in gateway_quality are right only if the broker sends each vehicle's messages to one instance (see docs/scaling.md)");
        string tag = options.GatewayTag.Length > 0 ? options.GatewayTag : mqttOptions.Value.ClientId;
        return new QualityReporter(quality, writer, options, tag, loggers.CreateLogger<QualityReporter>());
    }

    /// <summary>The counts since the last interval, written at shutdown; a kill -9 loses only these counts, never data.</summary>
    private async Task WriteLastQualityAsync(QualityReporter reporter)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (!await reporter.ReportAsync(timeout.Token)) _logger.LogWarning("Last gateway_quality counts not written at shutdown");
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Last gateway_quality counts not written at shutdown: InfluxDB did not answer within 5 s");
        }
    }

    /// <summary>Null when stopped meanwhile, or when InfluxDB cannot be used: then the gateway stops with the reason.</summary>
    private async Task<InfluxServerInfo?> ConnectInfluxAsync(HttpClient http, InfluxOptions influx, CancellationToken ct)
    {
        try
        {
            return await InfluxStartup.ConnectAsync(http, influx, _logger, TimeProvider.System, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return null;
        }
        catch (InfluxStartupException e)
        {
            _logger.LogCritical("Cannot start: {Error}", e.Message);
            startup.InfluxFailed(e);
            lifetime.StopApplication();
            return null;
        }
    }

    private void WarnIfReceiveMaximumThrottles()
    {
        var mqtt = mqttOptions.Value;
        var batching = batchingOptions.Value;
        // Acks are held for every pending batch and the open one: see docs/architecture.md, "in-flight window".
        long heldAtMost = (batching.MaxPendingBatches + 1L) * batching.MaxLines;
        if (mqtt.Qos == 1 && mqtt.ReceiveMaximum < heldAtMost)
            _logger.LogWarning(
                "Mqtt:ReceiveMaximum ({ReceiveMaximum}) is below the {Held} messages the gateway may hold unacknowledged ((Batching:MaxPendingBatches + 1) x Batching:MaxLines): the broker will pause between flushes",
                mqtt.ReceiveMaximum, heldAtMost);
    }

    private async Task ReportStatsAsync(int intervalSeconds, CancellationToken ct)
    {
        if (intervalSeconds <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(intervalSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) LogTotals();
        }
        catch (OperationCanceledException) { }
    }

    private void LogTotals()
    {
        var rejected = counters.RejectionsByReason().Where(r => r.Value > 0).Select(r => $"{r.Key}={r.Value}");
        _logger.LogInformation(
            "Totals: {Messages} messages, {Points} points written in {Batches} batches, {Acked} acked, {Failures} failed writes, {Spooled} points spooled, {Replayed} replayed, rejections: {Rejections}",
            counters.Messages, counters.PointsWritten, counters.BatchesWritten, counters.MessagesAcked, counters.WriteFailures,
            counters.PointsSpooled, counters.PointsReplayed,
            string.Join(" ", rejected.DefaultIfEmpty("none")));
    }
}
