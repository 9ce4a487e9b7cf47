using System.Diagnostics;
using DeviceSim.Faults;
using DeviceSim.Fleet;
using DeviceSim.Formats;
using DeviceSim.Manifest;
using DeviceSim.Publishing;
using DeviceSim.Vehicles;

namespace DeviceSim.Simulation;

/// <summary>Runs a fleet simulation into a sink, keeping to the clock, reporting progress, and writing the manifest.</summary>
public static class SimulationRunner
{
    public static async Task<RunResult> RunAsync(SimulationOptions options, TextWriter log, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var window = RunWindow.For(options, started);
        var specs = options.Fleet.Expand();
        var vehicles = specs.Select(s => Vehicle.Create(s, options.Seed)).ToList();
        var manifest = new ManifestRecorder(specs);
        var faults = new FaultInjector(options.Faults.For(options.Format), options.Seed);
        var format = WireFormat.Create(options.Format, vehicles, options.Seed);
        var simulation = new FleetSimulation(options, vehicles, faults, manifest, format);

        await using var sink = MessageSinks.Open(options, format);
        await sink.ConnectAsync(ct);

        var progress = new ProgressReporter(log, options, manifest, sink, window);
        var clock = Stopwatch.StartNew();
        bool cancelled = false;
        try
        {
            foreach (var message in simulation.Run(window.StartMs, window.EndMs))
            {
                if (options.Paced) await KeepToClock(window, simulation.CurrentMs, clock, ct);
                await sink.PublishAsync(message, ct);
                progress.MaybeReport(simulation.CurrentMs, clock.Elapsed);
            }
            await sink.FlushAsync(ct);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
        }
        clock.Stop();

        var result = new RunResult(options, window, started, clock.Elapsed, vehicles, manifest, faults.Injected,
            sink.Published, sink.Failed, sink.Resent, sink.LastError, cancelled, format.Counts);
        if (!options.Quiet) progress.Clear();
        return result;
    }

    /// <summary>Waits until the wall clock reaches the moment this simulated time maps to.</summary>
    private static async Task KeepToClock(RunWindow window, long simMs, Stopwatch clock, CancellationToken ct)
    {
        double dueMs = (simMs - window.StartMs) / window.Speed;
        double aheadMs = dueMs - clock.Elapsed.TotalMilliseconds;
        if (aheadMs > 5) await Task.Delay(TimeSpan.FromMilliseconds(aheadMs), ct);
    }
}

public sealed record RunResult(
    SimulationOptions Options,
    RunWindow Window,
    DateTimeOffset Started,
    TimeSpan Elapsed,
    IReadOnlyList<Vehicle> Vehicles,
    ManifestRecorder Manifest,
    IReadOnlyDictionary<FaultKind, int> Faults,
    long Published,
    long Failed,
    long Resent,
    string? LastError,
    bool Cancelled,
    IReadOnlyDictionary<string, long> FormatCounts);
