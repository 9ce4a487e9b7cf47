using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;

namespace Telemetry.Benchmarks;

/// <summary>
/// One MQTT message per operation: topic parse, JSON decode, catalogue checks and line-protocol encode
/// into the batch buffer. Each category pairs the gateway's decoder with the naive bridge (the baseline,
/// so the Ratio column is ours ÷ naive).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class DecodeBenchmarks
{
    private struct CountingSink : IDecodeSink
    {
        public int Points, Rejections;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Points++;
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) => Rejections++;
    }

    private SignalCatalogue _catalogue = null!;
    private PayloadDecoder _decoder = null!;
    private NaiveBridge _naive = null!;
    private LineBuffer _output = null!;
    private int _lastRejections;

    [GlobalSetup]
    public void Setup()
    {
        _catalogue = SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json"));
        _decoder = new PayloadDecoder(_catalogue);
        _naive = new NaiveBridge(_catalogue);
        _output = new LineBuffer(1 << 20);
        SampleCheck.BothWriteEveryPoint(this);
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark, BenchmarkCategory("telemetry 1 sample")]
    public int Ours_Telemetry() => Ours(SampleMessages.TelemetryTopic, SampleMessages.Telemetry);

    [Benchmark(Baseline = true), BenchmarkCategory("telemetry 1 sample")]
    public int Naive_Telemetry() => Naive(SampleMessages.TelemetryTopic, SampleMessages.Telemetry);

    [Benchmark, BenchmarkCategory("telemetry 10 samples")]
    public int Ours_Telemetry10() => Ours(SampleMessages.TelemetryTopic, SampleMessages.TelemetryArray10);

    [Benchmark(Baseline = true), BenchmarkCategory("telemetry 10 samples")]
    public int Naive_Telemetry10() => Naive(SampleMessages.TelemetryTopic, SampleMessages.TelemetryArray10);

    [Benchmark, BenchmarkCategory("telemetry 100 samples")]
    public int Ours_Telemetry100() => Ours(SampleMessages.TelemetryTopic, SampleMessages.TelemetryArray100);

    [Benchmark(Baseline = true), BenchmarkCategory("telemetry 100 samples")]
    public int Naive_Telemetry100() => Naive(SampleMessages.TelemetryTopic, SampleMessages.TelemetryArray100);

    [Benchmark, BenchmarkCategory("event")]
    public int Ours_Event() => Ours(SampleMessages.EventTopic, SampleMessages.Event);

    [Benchmark(Baseline = true), BenchmarkCategory("event")]
    public int Naive_Event() => Naive(SampleMessages.EventTopic, SampleMessages.Event);

    [Benchmark, BenchmarkCategory("status")]
    public int Ours_Status() => Ours(SampleMessages.StatusTopic, SampleMessages.Status);

    [Benchmark(Baseline = true), BenchmarkCategory("status")]
    public int Naive_Status() => Naive(SampleMessages.StatusTopic, SampleMessages.Status);

    private int Ours(string topic, byte[] payload)
    {
        _output.Clear();
        var sink = new CountingSink();
        int points = _decoder.Decode(topic, payload, false, SampleMessages.NowUnixMs, _output, ref sink).Points;
        _lastRejections = sink.Rejections;
        return points;
    }

    private int Naive(string topic, byte[] payload)
    {
        _output.Clear();
        return _naive.Convert(topic, payload, SampleMessages.NowUnixMs, _output);
    }

    /// <summary>Guards against measuring a reject path: both sides must write every sample of every message.</summary>
    private static class SampleCheck
    {
        public static void BothWriteEveryPoint(DecodeBenchmarks b)
        {
            (Func<int> run, int expected, string name)[] cases =
            [
                (b.Ours_Telemetry, 1, nameof(Ours_Telemetry)), (b.Naive_Telemetry, 1, nameof(Naive_Telemetry)),
                (b.Ours_Telemetry10, 10, nameof(Ours_Telemetry10)), (b.Naive_Telemetry10, 10, nameof(Naive_Telemetry10)),
                (b.Ours_Telemetry100, 100, nameof(Ours_Telemetry100)), (b.Naive_Telemetry100, 100, nameof(Naive_Telemetry100)),
                (b.Ours_Event, 1, nameof(Ours_Event)), (b.Naive_Event, 1, nameof(Naive_Event)),
                (b.Ours_Status, 1, nameof(Ours_Status)), (b.Naive_Status, 1, nameof(Naive_Status)),
            ];
            foreach (var (run, expected, name) in cases)
            {
                int points = run();
                if (points != expected || b._lastRejections != 0)
                    throw new InvalidOperationException($"{name} wrote {points} points (expected {expected}) with {b._lastRejections} rejections");
            }
        }
    }
}
