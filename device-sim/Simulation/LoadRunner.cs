using System.Diagnostics;
using DeviceSim.Faults;
using DeviceSim.Formats;
using DeviceSim.Manifest;
using DeviceSim.Publishing;
using DeviceSim.Vehicles;

namespace DeviceSim.Simulation;

/// <summary>
/// Benchmark mode: telemetry from the simulated fleet (each vehicle stepped one second per message, so
/// values stay realistic), published as fast as the in-flight window allows over a pool of connections
/// (one per edge node in Sparkplug, which sends its BIRTHs first and its DEATHs last).
/// Every payload's ts is the wall clock when it is built, just before publishing, so a test can measure
/// end-to-end latency; ts is strictly increasing per vehicle so no two points collapse into one.
/// </summary>
public static class LoadRunner
{
    public static async Task<RunResult> RunAsync(SimulationOptions options, TextWriter log, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var specs = options.Fleet.Expand();
        var vehicles = specs.Select(s => Vehicle.Create(s, options.Seed)).ToList();
        var manifest = new ManifestRecorder(specs);
        var format = WireFormat.Create(options.Format, vehicles, options.Seed);
        var lastTs = new long[vehicles.Count];
        var seqs = new uint[vehicles.Count];
        long simMs = started.ToUnixTimeMilliseconds();
        var window = new RunWindow(simMs, simMs, 1);

        await using var sink = MessageSinks.Open(options, format);
        await sink.ConnectAsync(ct);
        var progress = new ProgressReporter(log, options, manifest, sink, window);
        var clock = Stopwatch.StartNew();
        bool cancelled = false;

        async ValueTask Publish(OutgoingMessage message)
        {
            format.BeforeSend(message);
            manifest.Sent(message);
            await sink.PublishAsync(message, ct);
        }

        long Now(int i) => lastTs[i] = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), lastTs[i] + 1);

        try
        {
            if (format.StatusIsSession)
                for (int i = 0; i < vehicles.Count; i++)
                    foreach (var m in format.Status(Status(i, vehicles[i], Now(i), online: true))) await Publish(m);
            for (long n = 0; n < options.Messages; n++)
            {
                if (format.HasRequests)
                    foreach (var m in format.Answer(Now).ToList()) await Publish(m);
                int i = (int)(n % vehicles.Count);
                var vehicle = vehicles[i];
                var stepClock = new SimClock(simMs + n / vehicles.Count * 1000);
                vehicle.Step(stepClock, 1);
                vehicle.PendingEvents.Clear();
                var fields = new TelemetryWriter(vehicle.UsesVssPaths);
                vehicle.WriteTelemetry(fields);
                long ts = Now(i);
                var sample = new SampleObject(StreamKind.Telemetry, ts, fields.Take()) { Seq = seqs[i]++ };
                manifest.Vehicles[i].SeqIssued = seqs[i];
                var message = new OutgoingMessage
                {
                    VehicleIndex = i,
                    Topic = vehicle.Spec.TopicPrefix + "telemetry",
                    Stream = StreamKind.Telemetry,
                    Objects = [sample],
                    SimTimeMs = ts,
                };
                format.Telemetry(message, null, 0, batched: false);
                await Publish(message);
                if ((n & 1023) == 0) progress.MaybeReport(simMs, clock.Elapsed);
            }
            if (format.StatusIsSession)
            {
                for (int i = 0; i < vehicles.Count; i++)
                    foreach (var m in format.Status(Status(i, vehicles[i], Now(i), online: false))) await Publish(m);
                foreach (var m in format.Finish(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())) await Publish(m);
            }
            await sink.FlushAsync(ct);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }
        clock.Stop();
        return new RunResult(options, window with { EndMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, started, clock.Elapsed,
            vehicles, manifest, new Dictionary<FaultKind, int>(), sink.Published, sink.Failed, sink.Resent, sink.LastError, cancelled, format.Counts);
    }

    private static OutgoingMessage Status(int index, Vehicle vehicle, long ts, bool online) => new()
    {
        VehicleIndex = index,
        Topic = vehicle.Spec.TopicPrefix + "status",
        Stream = StreamKind.Status,
        Objects = [new SampleObject(StreamKind.Status, ts, [FieldValue.Bool("online", online)])],
        Retain = true,
        SimTimeMs = ts,
    };
}
