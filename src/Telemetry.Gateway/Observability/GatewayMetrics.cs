using System.Diagnostics.Metrics;
using Telemetry.Contract.Decoding;
using Telemetry.Gateway.Sources;
using Telemetry.Gateway.Sparkplug;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.Quality;

namespace Telemetry.Gateway.Observability;

/// <summary>
/// The gateway's instruments on the <see cref="PipelineCounters.MeterName"/> meter. All but the batch
/// write-time histogram (recorded per batch by the pipeline) are observed: their callbacks read the
/// running totals when a collector asks (a scrape, dotnet-counters), so the decoding path does no
/// metric work per message. Labels are bounded: reason, kind, outcome; never a vehicle.
/// </summary>
internal sealed class GatewayMetrics
{
    public GatewayMetrics(IMeterFactory meters, PipelineCounters counters, IngestPipeline pipeline, QualityTracker quality, IMessageSource source,
        PayloadDecoder decoder, SparkplugHost sparkplug, SparkplugHostService sparkplugService)
    {
        Meter = meters.Create(PipelineCounters.MeterName);
        var m = Meter;
        const string prefix = "telemetry.gateway.";

        m.CreateObservableCounter(prefix + "messages.received", () => counters.Messages, "{message}", "MQTT messages received and decoded");
        m.CreateObservableCounter(prefix + "messages.acknowledged", () => counters.MessagesAcked, "{message}", "QoS 1 messages acknowledged to the broker once their points were stored");
        m.CreateObservableUpDownCounter(prefix + "messages.inflight", () => counters.Messages - counters.MessagesSettled, "{message}",
            "Messages received whose batch is not yet stored and acknowledged");
        m.CreateObservableCounter(prefix + "points.accepted", () => counters.PointsAccepted, "{point}", "Points decoded and placed in a batch");
        m.CreateObservableCounter(prefix + "points.written", () => counters.PointsWritten, "{point}", "Points InfluxDB accepted (spool replays included)");
        m.CreateObservableCounter(prefix + "points.spooled", () => counters.PointsSpooled, "{point}", "Points put in the disk spool while InfluxDB was unavailable");
        m.CreateObservableCounter(prefix + "points.replayed", () => counters.PointsReplayed, "{point}", "Spooled points later written to InfluxDB");
        m.CreateObservableCounter(prefix + "backpressure.waits", () => counters.BackPressureWaits, "{wait}",
            "Times reading from MQTT paused because Batching:MaxPendingBatches batches were not yet stored");
        m.CreateObservableCounter(prefix + "backpressure.time", () => counters.BackPressureTime.TotalSeconds, "s",
            "Time reading from MQTT spent paused for the pipeline (InfluxDB slower than the input)");
        m.CreateObservableCounter(prefix + "points.receive_time", () => counters.ReceiveTimeUsed, "{point}", "Points without ts, written at the gateway's receive time");
        m.CreateObservableCounter(prefix + "rejections", () => Enum.GetValues<RejectReason>()
            .Select(r => new Measurement<long>(counters.Rejections(r), new KeyValuePair<string, object?>("reason", r.Name()))), "{rejection}",
            "Samples, whole messages or fields rejected by the decoder, by reason (dead-lettered)");
        m.CreateObservableCounter(prefix + "lines.refused", () => counters.LinesRefused, "{line}", "Lines InfluxDB refused in a partial write (dead-lettered as influx_refused)");
        m.CreateObservableCounter(prefix + "batches.written", () => counters.BatchesWritten, "{batch}", "Write requests InfluxDB accepted");
        m.CreateObservableCounter(prefix + "batches.spooled", () => counters.BatchesSpooled, "{batch}", "Batches put in the disk spool");
        m.CreateObservableCounter(prefix + "write.failures", () => counters.WriteFailures, "{request}", "Write requests that failed and were retried");
        m.CreateObservableCounter(prefix + "written", () => counters.BytesWritten, "By", "Line protocol bytes InfluxDB accepted (before gzip)");
        m.CreateObservableUpDownCounter(prefix + "batches.pending", () => pipeline.PendingBatches, "{batch}",
            "Batches sealed but not yet acknowledged; at Batching:MaxPendingBatches the gateway stops reading");
        m.CreateObservableUpDownCounter(prefix + "influx.failing", () => pipeline.Failures.CurrentError is null ? 0 : 1, "",
            "1 while writes to InfluxDB are failing");
        m.CreateObservableUpDownCounter(prefix + "spool.size", () => pipeline.Spool?.PendingBytes ?? 0, "By", "Bytes in the disk spool waiting for replay");
        m.CreateObservableUpDownCounter(prefix + "spool.limit", () => pipeline.Spool?.MaxBytes ?? 0, "By", "Spool:MaxBytes (0 when the spool is off)");

        source.AddInstruments(m, prefix);
        SparkplugInstruments.Add(m, prefix, decoder.Sparkplug.Counters, sparkplug, sparkplugService);

        m.CreateObservableCounter(prefix + "samples", () => quality.KindTotals().SelectMany(k => new[]
            {
                new Measurement<long>(k.Total.Written, new("kind", k.Kind), new("outcome", "written")),
                new Measurement<long>(k.Total.Rejected, new("kind", k.Kind), new("outcome", "rejected")),
            }), "{sample}", "Samples per vehicle kind: written or rejected (received = written + rejected)");
        m.CreateObservableUpDownCounter(prefix + "seq.lost", () => quality.KindTotals()
            .Select(k => new Measurement<long>(k.Total.SeqLost, new KeyValuePair<string, object?>("kind", k.Kind))), "{sample}",
            "seq numbers never received (net of late arrivals), per vehicle kind");
        m.CreateObservableCounter(prefix + "seq.duplicates", () => quality.KindTotals()
            .Select(k => new Measurement<long>(k.Total.SeqDuplicates, new KeyValuePair<string, object?>("kind", k.Kind))), "{sample}",
            "Samples whose seq had been received already, per vehicle kind");
        m.CreateObservableUpDownCounter(prefix + "quality.vehicles", () => quality.VehicleCount, "{vehicle}", "Vehicles tracked for gateway_quality");

        m.CreateObservableCounter(prefix + "process.allocated", () => GC.GetTotalAllocatedBytes(), "By", "Bytes allocated by the process since start");
        m.CreateObservableCounter(prefix + "process.cpu.time", () => Environment.CpuUsage.TotalTime.TotalSeconds, "s", "CPU time of the process (user + system)");
        // What a fresh process spends compiling (ReadyToRun code is not compiled again until it is hot; see docs/benchmarks.md).
        m.CreateObservableCounter(prefix + "process.jit.time", () => System.Runtime.JitInfo.GetCompilationTime().TotalSeconds, "s",
            "Time the JIT spent compiling methods since start");
        m.CreateObservableCounter(prefix + "process.jit.methods", () => System.Runtime.JitInfo.GetCompiledMethodCount(), "{method}",
            "Methods compiled by the JIT since start (each tier counts)");
        m.CreateObservableUpDownCounter(prefix + "process.working_set", () => Environment.WorkingSet, "By", "Resident memory of the process");
        m.CreateObservableUpDownCounter(prefix + "process.gc.heap", () => GC.GetTotalMemory(false), "By", "Managed heap in use");
    }

    public Meter Meter { get; }
}
