using System.Buffers;
using System.Formats.Cbor;
using BenchmarkDotNet.Attributes;
using Senml.TestEncoder;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Decoding.Senml;

namespace Telemetry.Benchmarks;

/// <summary>
/// SenML packs (wire contract section 6): one message of 10 samples × 14 records (140 records) per operation, in
/// JSON and in CBOR, topic to line protocol. And the CBOR reader chosen: our <see cref="CborSpanReader"/> over the
/// payload bytes against a reused System.Formats.Cbor <see cref="CborReader"/> (which needs the payload as memory,
/// so it is copied into a pooled array first, as the gateway would have to), each walking the whole pack.
/// </summary>
[MemoryDiagnoser]
public class SenmlBenchmarks
{
    public const int Records = 140;
    private struct CountingSink : IDecodeSink
    {
        public int Points, Rejections;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Points++;
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) => Rejections++;
    }

    public static readonly byte[] Json = SenmlEncoder.Json(Pack());
    public static readonly byte[] Cbor = SenmlEncoder.Cbor(Pack());
    private const string JsonTopic = "fleet/amata-chonburi/emoto/EM-000123/senml";
    private const string CborTopic = "fleet/amata-chonburi/emoto/EM-000123/senml-cbor";

    private PayloadDecoder _decoder = null!;
    private LineBuffer _output = null!;
    private readonly CborReader _cborReader = new(ReadOnlyMemory<byte>.Empty);

    /// <summary>Ten samples a second apart, each with the 14 signals of the JSON sample, names by key with one base time.</summary>
    private static SenmlRecord[] Pack()
    {
        var records = new List<SenmlRecord>();
        for (int i = 0; i < 10; i++)
        {
            (string, double)[] values =
            [
                ("speed_kmh", 38.5 + i % 7 * 0.7), ("lat", 13.7563 + i * 0.00011), ("lon", 100.5018 + i * 0.00009), ("heading_deg", 271.4 + i * 1.3),
                ("alt_m", 12.3), ("odo_km", 18234.7 + i * 0.01), ("soc_pct", 76.2 - i * 0.01), ("batt_v", 72.4), ("batt_a", -18.3 - i % 9),
                ("batt_temp_c", 34.1), ("motor_rpm", 4210 + i % 50 * 10), ("motor_temp_c", 58.2), ("seq", 1042 + i),
            ];
            foreach (var (name, value) in values)
            {
                var record = new SenmlRecord();
                if (records.Count == 0) record.Add("bt", SampleMessages.NowUnixMs / 1000.0 - 60);
                record.Add("n", name).Add("t", (double)i).Add("v", Math.Round(value, 5));
                records.Add(record);
            }
            records.Add(new SenmlRecord().Add("n", "ignition").Add("t", (double)i).Add("vb", true));
        }
        return records.ToArray();
    }

    [GlobalSetup]
    public void Setup()
    {
        _decoder = new PayloadDecoder(SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json")));
        _output = new LineBuffer(1 << 20);
        foreach (var (name, points) in new[] { ("JSON", SenmlJson()), ("CBOR", SenmlCbor()) })
            if (points != 10) throw new InvalidOperationException($"SenML {name} wrote {points} points, expected 10");
        if (WalkOurs() != WalkCborReader()) throw new InvalidOperationException("the two CBOR walks disagree");
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark]
    public int SenmlJson() => Decode(JsonTopic, Json);

    [Benchmark]
    public int SenmlCbor() => Decode(CborTopic, Cbor);

    /// <summary>Our CBOR reader walking every item of the pack in place.</summary>
    [Benchmark]
    public int WalkOurs()
    {
        var reader = new CborSpanReader(Cbor);
        return reader.TrySkip() && reader.AtEnd ? Cbor.Length : -1;
    }

    /// <summary>System.Formats.Cbor's reader, reused across messages (<c>Reset</c>), walking the same pack from a pooled copy.</summary>
    [Benchmark]
    public int WalkCborReader()
    {
        var copy = ArrayPool<byte>.Shared.Rent(Cbor.Length);
        try
        {
            Cbor.CopyTo(copy, 0);
            _cborReader.Reset(copy.AsMemory(0, Cbor.Length));
            _cborReader.SkipValue();
            return _cborReader.BytesRemaining == 0 ? Cbor.Length : -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private int Decode(string topic, byte[] payload)
    {
        _output.Clear();
        var sink = new CountingSink();
        int points = _decoder.Decode(topic, payload, false, SampleMessages.NowUnixMs, _output, ref sink).Points;
        return sink.Rejections == 0 ? points : -1;
    }
}
