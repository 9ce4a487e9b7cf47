using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;

namespace Telemetry.Benchmarks;

/// <summary>
/// The CPU side of flushing one batch: gzip of 5000 telemetry lines into a reused buffer, as
/// InfluxWriter does before the HTTP request (the request itself is not measured here).
/// </summary>
[MemoryDiagnoser]
public class BatchFlushBenchmarks
{
    public const int LinesPerBatch = 5000;

    private struct NoSink : IDecodeSink
    {
        public void OnPoint(int objectIndex, long seq, long timestampMs) { }
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) { }
    }

    private LineBuffer _batch = null!;
    private readonly MemoryStream _compressed = new();

    [Params(CompressionLevel.Fastest, CompressionLevel.Optimal)]
    public CompressionLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var catalogue = SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json"));
        var decoder = new PayloadDecoder(catalogue);
        _batch = new LineBuffer(2 << 20);
        var sink = new NoSink();
        // 50 vehicles of one site, 100 samples each, interleaved as they would arrive.
        for (int i = 0; i < LinesPerBatch; i++)
        {
            var vehicle = $"EM-{i % 50:000000}";
            var payload = System.Text.Encoding.UTF8.GetBytes(SampleMessages.TelemetryJson(i / 50, batteryId: $"BP-{88000 + i % 50}"));
            decoder.Decode($"fleet/amata-chonburi/emoto/{vehicle}/telemetry", payload, false, SampleMessages.NowUnixMs, _batch, ref sink);
        }
        int lines = _batch.WrittenSpan.Count((byte)'\n');
        if (lines != LinesPerBatch) throw new InvalidOperationException($"batch has {lines} lines, expected {LinesPerBatch}");
        Compress();
        Console.WriteLine($"// batch: {LinesPerBatch} lines, {_batch.Length} bytes → gzip {Level}: {_compressed.Length} bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _compressed.Dispose();
    }

    [Benchmark(OperationsPerInvoke = LinesPerBatch)]
    public long GzipBatch_PerLine() => Compress();

    private long Compress()
    {
        _compressed.SetLength(0);
        using (var gzip = new GZipStream(_compressed, Level, leaveOpen: true))
            gzip.Write(_batch.WrittenSpan);
        return _compressed.Length;
    }
}
