using BenchmarkDotNet.Attributes;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;

namespace Telemetry.Benchmarks;

/// <summary>
/// Line protocol from a gateway (wire contract section 7, stream <c>lp</c>): the samples of the JSON benchmarks as lines
/// of 16 fields, one message of 1, 10 and 100 lines per operation, topic to line protocol. A line is a record.
/// </summary>
[MemoryDiagnoser]
public class LineProtocolBenchmarks
{
    private struct CountingSink : IDecodeSink
    {
        public int Points, Rejections;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Points++;
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) => Rejections++;
    }

    public static readonly byte[] Lines1 = SampleMessages.TelemetryLines(1);
    public static readonly byte[] Lines10 = SampleMessages.TelemetryLines(10);
    public static readonly byte[] Lines100 = SampleMessages.TelemetryLines(100);

    private PayloadDecoder _decoder = null!;
    private LineBuffer _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _decoder = new PayloadDecoder(SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json")));
        _output = new LineBuffer(1 << 20);
        foreach (var (lines, run) in new (int, Func<int>)[] { (1, Lp1Line), (10, Lp10Lines), (100, Lp100Lines) })
            if (run() != lines) throw new InvalidOperationException($"{lines} lines did not give {lines} points without a finding");
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public int Lp1Line() => Decode(Lines1);

    [Benchmark]
    public int Lp10Lines() => Decode(Lines10);

    [Benchmark]
    public int Lp100Lines() => Decode(Lines100);

    private int Decode(byte[] payload)
    {
        _output.Clear();
        var sink = new CountingSink();
        int points = _decoder.Decode(SampleMessages.LineProtocolTopic, payload, false, SampleMessages.NowUnixMs, _output, ref sink).Points;
        return sink.Rejections == 0 ? points : -1;
    }
}
