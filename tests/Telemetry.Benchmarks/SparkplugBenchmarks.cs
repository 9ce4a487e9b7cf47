using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace Telemetry.Benchmarks;

/// <summary>
/// Sparkplug B NDATA (wire contract section 5) of a forklift that is its own edge node, metrics by alias only, after
/// its NBIRTH declared them: 10 metrics (one sample of ten signals) and 50 (five samples, each metric with its own
/// timestamp) per message, topic to line protocol. Each operation decodes the next of 256 payloads, so Sparkplug's seq
/// runs on without a gap (a gap would ask for a rebirth). Payloads are encoded by Google.Protobuf, the tests' encoder.
/// A metric is a record.
/// </summary>
[MemoryDiagnoser]
public class SparkplugBenchmarks
{
    private const string BirthTopic = "spBv1.0/laem-chabang/NBIRTH/FL-07";
    private const string DataTopic = "spBv1.0/laem-chabang/NDATA/FL-07";

    private struct CountingSink : IDecodeSink
    {
        public int Points, Rejections;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Points++;
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) => Rejections++;
    }

    /// <summary>Name as the edge node declares it, Sparkplug datatype (9 Float, 10 Double, 7 UInt32), and a value of sample i.</summary>
    private static readonly (string Name, uint Datatype, Func<int, double> Value)[] Signals =
    [
        ("Vehicle/Speed", 9, i => 8.5 + i % 7 * 0.5), ("Vehicle/CurrentLocation/Latitude", 10, i => 13.0852 + i * 0.00001),
        ("Vehicle/CurrentLocation/Longitude", 10, i => 100.9142 + i * 0.00001), ("soc_pct", 9, i => 76.2 - i * 0.01),
        ("batt_v", 9, i => 48.1), ("batt_a", 9, i => -42.5 - i % 3), ("lift_height_m", 9, i => 1.2 + i % 4 * 0.3),
        ("load_kg", 10, i => 850 + i % 10), ("h2_pressure_mpa", 9, i => 31.5 - i * 0.01), ("seq", 7, i => 1042 + i),
    ];

    [Params(10, 50)]
    public int Metrics { get; set; }

    private PayloadDecoder _decoder = null!;
    private LineBuffer _output = null!;
    private byte[][] _data = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _decoder = new PayloadDecoder(SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json")));
        _output = new LineBuffer(1 << 20);
        var birth = new Payload { Timestamp = (ulong)SampleMessages.NowUnixMs - 60_000, Seq = 0 };
        birth.Metrics.Add(new Metric { Name = "bdSeq", Datatype = 8, LongValue = 1 });
        birth.Metrics.Add(new Metric { Name = "Node Control/Rebirth", Datatype = 11, BooleanValue = false });
        birth.Metrics.Add(new Metric { Name = "kind", Datatype = 12, StringValue = "h2forklift" });
        for (int s = 0; s < Signals.Length; s++) birth.Metrics.Add(new Metric { Name = Signals[s].Name, Alias = (ulong)s + 1, Datatype = Signals[s].Datatype });
        var sink = new CountingSink();
        _decoder.Decode(BirthTopic, birth.ToByteArray(), false, SampleMessages.NowUnixMs, _output, ref sink);
        if (sink.Rejections != 0) throw new InvalidOperationException("the NBIRTH was refused");

        _data = Enumerable.Range(0, 256).Select(k => Data((ulong)(k + 1) % 256, Metrics / Signals.Length)).ToArray();
        int expected = Metrics / Signals.Length;
        for (int k = 0; k < 300; k++)
            if (SparkplugNdata() != expected) throw new InvalidOperationException($"an NDATA of {Metrics} metrics did not give {expected} points without a finding");
        if (!_decoder.Sparkplug.RebirthRequests.IsEmpty) throw new InvalidOperationException("the host asked for a rebirth");
    }

    private static byte[] Data(ulong seq, int samples)
    {
        var payload = new Payload { Timestamp = (ulong)SampleMessages.NowUnixMs - 30_000, Seq = seq };
        for (int i = 0; i < samples; i++)
        {
            for (int s = 0; s < Signals.Length; s++)
            {
                var (_, datatype, value) = Signals[s];
                var metric = new Metric { Alias = (ulong)s + 1 };
                if (samples > 1) metric.Timestamp = (ulong)(SampleMessages.NowUnixMs - 30_000 + i * 1000L);
                switch (datatype)
                {
                    case 9: metric.FloatValue = (float)value(i); break;
                    case 10: metric.DoubleValue = value(i); break;
                    default: metric.IntValue = (uint)value(i); break;
                }
                payload.Metrics.Add(metric);
            }
        }
        return payload.ToByteArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public int SparkplugNdata()
    {
        var payload = _data[_next];
        _next = (_next + 1) & 255;
        _output.Clear();
        var sink = new CountingSink();
        int points = _decoder.Decode(DataTopic, payload, false, SampleMessages.NowUnixMs, _output, ref sink).Points;
        return sink.Rejections == 0 ? points : -1;
    }
}
