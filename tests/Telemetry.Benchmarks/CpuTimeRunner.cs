using System.Diagnostics;

namespace Telemetry.Benchmarks;

/// <summary>
/// <c>--cpu</c>: the same decode cases timed by the process's CPU time rather than the wall clock, for a
/// machine shared with other work (where BenchmarkDotNet's wall-clock figures swing with the load). Each case
/// is warmed up, then timed in rounds of about 200 ms; the table gives the best and the median round, and
/// compares best rounds (the naive side's median swings with its garbage collections competing for the CPU).
/// </summary>
internal static class CpuTimeRunner
{
    private const int Rounds = 11;
    private static readonly TimeSpan RoundLength = TimeSpan.FromMilliseconds(200);

    private readonly record struct Figures(double BestNs, double MedianNs, double BytesPerOp);

    /// <summary><c>--cpu-study</c>: the study's derivation (<see cref="DeriveBenchmarks"/>) by CPU time per sample.</summary>
    public static void RunStudy()
    {
        var b = new DeriveBenchmarks();
        b.Setup();
        Measure(b.DeriveOneVehicleWeek);
        var f = Measure(b.DeriveOneVehicleWeek);
        double best = f.BestNs / DeriveBenchmarks.Samples, median = f.MedianNs / DeriveBenchmarks.Samples;
        Console.WriteLine("| case | ns CPU/sample (best / median) | B/sample | samples/s/core (median) |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| one vehicle, a week at 1 Hz ({DeriveBenchmarks.Samples:N0} samples) | {best:N1} / {median:N1} | {f.BytesPerOp / DeriveBenchmarks.Samples:N3} | {1e9 / median:N0} |");
    }

    public static void Run()
    {
        var b = new DecodeBenchmarks();
        b.Setup();
        (string Category, int Samples, Func<int> Ours, Func<int> Naive)[] cases =
        [
            ("telemetry, 1 sample (260 B)", 1, b.Ours_Telemetry, b.Naive_Telemetry),
            ("telemetry, 10 samples", 10, b.Ours_Telemetry10, b.Naive_Telemetry10),
            ("telemetry, 100 samples", 100, b.Ours_Telemetry100, b.Naive_Telemetry100),
            ("event", 1, b.Ours_Event, b.Naive_Event),
            ("status", 1, b.Ours_Status, b.Naive_Status),
        ];
        // Warm every case first: the JIT's background tiering threads count in the process's CPU time.
        foreach (var (_, _, ours, naive) in cases)
        {
            Measure(ours);
            Measure(naive);
        }
        Console.WriteLine("| message | ours ns CPU/msg (best / median) | ours B/msg | ours msgs/s/core | naive ns CPU/msg (best / median) | naive B/msg | naive msgs/s/core | naive ÷ ours (best) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (category, samples, ours, naive) in cases)
        {
            var o = Measure(ours);
            var n = Measure(naive);
            string perSample = samples > 1 ? $" ({o.MedianNs / samples:N0}/sample)" : "";
            Console.WriteLine($"| {category} | {o.BestNs:N0} / {o.MedianNs:N0}{perSample} | {o.BytesPerOp:N0} | {1e9 / o.MedianNs:N0} " +
                              $"| {n.BestNs:N0} / {n.MedianNs:N0} | {n.BytesPerOp:N0} | {1e9 / n.MedianNs:N0} | {n.BestNs / o.BestNs:N1}× |");
        }
        b.Cleanup();
        RunSenml();
        RunFormats();
    }

    /// <summary><c>--cpu-senml</c>: the SenML cases alone (also the last table of <c>--cpu</c>).</summary>
    public static void RunSenml()
    {
        var senml = new SenmlBenchmarks();
        senml.Setup();
        (string Name, Func<int> Run)[] senmlCases =
        [
            ($"SenML JSON, {SenmlBenchmarks.Records} records ({SenmlBenchmarks.Json.Length} B)", senml.SenmlJson),
            ($"SenML CBOR, {SenmlBenchmarks.Records} records ({SenmlBenchmarks.Cbor.Length} B)", senml.SenmlCbor),
            ("CBOR walk: ours, in place", senml.WalkOurs),
            ("CBOR walk: System.Formats.Cbor reader reused, from a pooled copy", senml.WalkCborReader),
        ];
        foreach (var (_, run) in senmlCases) Measure(run);
        Console.WriteLine();
        Console.WriteLine("| SenML message | ns CPU/msg (best / median) | B/msg | records/s per core (median) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, run) in senmlCases)
        {
            var f = Measure(run);
            Console.WriteLine($"| {name} | {f.BestNs:N0} / {f.MedianNs:N0} | {f.BytesPerOp:N0} | {SenmlBenchmarks.Records * 1e9 / f.MedianNs:N0} |");
        }
        senml.Cleanup();
    }

    /// <summary><c>--cpu-formats</c>: line protocol (<see cref="LineProtocolBenchmarks"/>) and Sparkplug B NDATA (<see cref="SparkplugBenchmarks"/>), per record (also the last table of <c>--cpu</c>).</summary>
    public static void RunFormats()
    {
        var json = new DecodeBenchmarks();
        json.Setup();
        var lp = new LineProtocolBenchmarks();
        lp.Setup();
        var sparkplug10 = new SparkplugBenchmarks { Metrics = 10 };
        sparkplug10.Setup();
        var sparkplug50 = new SparkplugBenchmarks { Metrics = 50 };
        sparkplug50.Setup();
        (string Name, int Records, Func<int> Run)[] cases =
        [
            ("JSON, the same 10 samples as an array (for comparison)", 10, json.Ours_Telemetry10),
            ($"line protocol, 1 line of 16 fields ({LineProtocolBenchmarks.Lines1.Length} B)", 1, lp.Lp1Line),
            ($"line protocol, 10 lines ({LineProtocolBenchmarks.Lines10.Length} B)", 10, lp.Lp10Lines),
            ($"line protocol, 100 lines ({LineProtocolBenchmarks.Lines100.Length} B)", 100, lp.Lp100Lines),
            ("Sparkplug NDATA, 10 metrics by alias", 10, sparkplug10.SparkplugNdata),
            ("Sparkplug NDATA, 50 metrics by alias (5 times)", 50, sparkplug50.SparkplugNdata),
        ];
        foreach (var (_, _, run) in cases) Measure(run);
        Console.WriteLine();
        Console.WriteLine("| message | ns CPU/msg (best / median) | B/msg | records/s per core (median) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, records, run) in cases)
        {
            var f = Measure(run);
            Console.WriteLine($"| {name} | {f.BestNs:N0} / {f.MedianNs:N0} | {f.BytesPerOp:N1} | {records * 1e9 / f.MedianNs:N0} |");
        }
        json.Cleanup();
        lp.Cleanup();
        sparkplug10.Cleanup();
        sparkplug50.Cleanup();
    }

    private static Figures Measure(Func<int> operation)
    {
        // Warm-up long enough for tiered JIT to reach its optimised code.
        var warmUp = Stopwatch.StartNew();
        long ops = 0;
        while (warmUp.ElapsedMilliseconds < 1000) { operation(); ops++; }
        long perRound = Math.Max(1, (long)(ops * RoundLength.TotalMilliseconds / warmUp.ElapsedMilliseconds));

        var process = Process.GetCurrentProcess();
        var nsPerOp = new double[Rounds];
        long allocated = 0;
        for (int r = 0; r < Rounds; r++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            long bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            for (long i = 0; i < perRound; i++) operation();
            allocated += GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
            process.Refresh();
            nsPerOp[r] = (process.TotalProcessorTime - cpuBefore).TotalNanoseconds / perRound;
        }
        Array.Sort(nsPerOp);
        return new Figures(nsPerOp[0], nsPerOp[Rounds / 2], (double)allocated / (perRound * Rounds));
    }
}
