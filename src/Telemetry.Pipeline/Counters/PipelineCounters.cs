using System.Diagnostics.Metrics;
using Telemetry.Contract.Decoding;

namespace Telemetry.Pipeline.Counters;

/// <summary>Running totals of what the pipeline did; read them at any time from any thread.</summary>
public sealed class PipelineCounters
{
    /// <summary>The <see cref="Meter"/> of the gateway's metrics (<c>dotnet-counters monitor --counters Telemetry.Gateway</c>).</summary>
    public const string MeterName = "Telemetry.Gateway";

    private readonly long[] _rejections = new long[RejectReasons.Count];
    private readonly string?[] _lastRejectedTopic = new string?[RejectReasons.Count];
    private readonly Histogram<double>? _batchWriteSeconds;
    private readonly Histogram<double>? _pointAgeSeconds;
    private long _messagesSettled,
        _messages, _pointsAccepted, _pointsWritten, _batchesWritten, _bytesWritten, _writeFailures, _receiveTimeUsed,
        _messagesAcked, _linesRefused, _batchesSpooled, _pointsSpooled, _batchesReplayed, _pointsReplayed, _backPressureWaits, _backPressureTicks;

    /// <param name="meters">when given, batch write times are recorded as a histogram on <see cref="MeterName"/></param>
    public PipelineCounters(IMeterFactory? meters = null)
    {
        _batchWriteSeconds = meters?.Create(MeterName).CreateHistogram<double>("telemetry.gateway.batch.write.duration", "s",
            "Time from a batch's first write attempt until it is stored (InfluxDB or spool), retries included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _pointAgeSeconds = meters?.Create(MeterName).CreateHistogram<double>("telemetry.gateway.point.age", "s",
            "Time from a point's ts to when its batch was stored (InfluxDB or spool): publish-to-written latency for live data, plus any buffering on the vehicle",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 5, 10, 30, 60, 300, 3600, 86400] });
    }

    public long Messages => Volatile.Read(ref _messages);
    /// <summary>Messages whose batch was stored and acknowledged (QoS 0 messages too, which need no PUBACK).</summary>
    public long MessagesSettled => Volatile.Read(ref _messagesSettled);
    /// <summary>Points decoded and placed in a batch.</summary>
    public long PointsAccepted => Volatile.Read(ref _pointsAccepted);
    /// <summary>Points in batches InfluxDB accepted.</summary>
    public long PointsWritten => Volatile.Read(ref _pointsWritten);
    public long BatchesWritten => Volatile.Read(ref _batchesWritten);
    public long BytesWritten => Volatile.Read(ref _bytesWritten);
    public long WriteFailures => Volatile.Read(ref _writeFailures);
    public long ReceiveTimeUsed => Volatile.Read(ref _receiveTimeUsed);
    public long MessagesAcked => Volatile.Read(ref _messagesAcked);
    /// <summary>Lines InfluxDB refused in a partial write (dead-lettered).</summary>
    public long LinesRefused => Volatile.Read(ref _linesRefused);
    /// <summary>Batches (and their points) put in the disk spool because InfluxDB was unavailable.</summary>
    public long BatchesSpooled => Volatile.Read(ref _batchesSpooled);
    public long PointsSpooled => Volatile.Read(ref _pointsSpooled);
    /// <summary>Spooled batches (and points) later written to InfluxDB.</summary>
    public long BatchesReplayed => Volatile.Read(ref _batchesReplayed);
    public long PointsReplayed => Volatile.Read(ref _pointsReplayed);
    /// <summary>Times the transport had to wait because <c>MaxPendingBatches</c> were unacknowledged, and for how long in all.</summary>
    public long BackPressureWaits => Volatile.Read(ref _backPressureWaits);
    public TimeSpan BackPressureTime => TimeSpan.FromTicks(Volatile.Read(ref _backPressureTicks));
    public long Rejections(RejectReason reason) => Volatile.Read(ref _rejections[(int)reason]);
    /// <summary>The topic of the latest rejection for <paramref name="reason"/>, for sampled logging.</summary>
    public string? LastRejectedTopic(RejectReason reason) => Volatile.Read(ref _lastRejectedTopic[(int)reason]);

    public IReadOnlyDictionary<string, long> RejectionsByReason() =>
        Enum.GetValues<RejectReason>().ToDictionary(r => r.Name(), Rejections);

    internal void MessageDecoded(in DecodeOutcome outcome)
    {
        Interlocked.Increment(ref _messages);
        if (outcome.Points > 0) Interlocked.Add(ref _pointsAccepted, outcome.Points);
        if (outcome.ReceiveTimeUsed > 0) Interlocked.Add(ref _receiveTimeUsed, outcome.ReceiveTimeUsed);
    }

    internal void Rejected(RejectReason reason, string topic)
    {
        Interlocked.Increment(ref _rejections[(int)reason]);
        Volatile.Write(ref _lastRejectedTopic[(int)reason], topic);
    }

    internal void BatchDelivered(TimeSpan elapsed) => _batchWriteSeconds?.Record(elapsed.TotalSeconds);

    internal void PointsStored(ReadOnlySpan<long> pointTimesMs, long nowMs)
    {
        if (_pointAgeSeconds is null || !_pointAgeSeconds.Enabled) return;
        foreach (long ts in pointTimesMs) _pointAgeSeconds.Record((nowMs - ts) / 1000.0);
    }

    internal void BatchWritten(int points, int bytes)
    {
        Interlocked.Increment(ref _batchesWritten);
        Interlocked.Add(ref _pointsWritten, points);
        Interlocked.Add(ref _bytesWritten, bytes);
    }

    internal void BatchSpooled(int points)
    {
        Interlocked.Increment(ref _batchesSpooled);
        Interlocked.Add(ref _pointsSpooled, points);
    }

    internal void BatchReplayed(int points)
    {
        Interlocked.Increment(ref _batchesReplayed);
        Interlocked.Add(ref _pointsReplayed, points);
    }

    internal void WriteFailed() => Interlocked.Increment(ref _writeFailures);

    internal void WaitedForRoom(TimeSpan waited)
    {
        Interlocked.Increment(ref _backPressureWaits);
        Interlocked.Add(ref _backPressureTicks, waited.Ticks);
    }
    internal void LinesRefusedByInflux(int lines) => Interlocked.Add(ref _linesRefused, lines);
    internal void Acked(int acknowledged, int messages)
    {
        Interlocked.Add(ref _messagesAcked, acknowledged);
        Interlocked.Add(ref _messagesSettled, messages);
    }
}
