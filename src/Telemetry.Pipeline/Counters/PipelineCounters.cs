using Telemetry.Contract.Decoding;

namespace Telemetry.Pipeline.Counters;

/// <summary>Running totals of what the pipeline did; read them at any time from any thread.</summary>
public sealed class PipelineCounters
{
    private readonly long[] _rejections = new long[RejectReasons.Count];
    private long _messages, _pointsAccepted, _pointsWritten, _batchesWritten, _bytesWritten, _writeFailures, _receiveTimeUsed,
        _messagesAcked, _linesRefused, _batchesSpooled, _pointsSpooled, _batchesReplayed, _pointsReplayed;

    public long Messages => Volatile.Read(ref _messages);
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
    public long Rejections(RejectReason reason) => Volatile.Read(ref _rejections[(int)reason]);

    public IReadOnlyDictionary<string, long> RejectionsByReason() =>
        Enum.GetValues<RejectReason>().ToDictionary(r => r.Name(), Rejections);

    internal void MessageDecoded(in DecodeOutcome outcome)
    {
        Interlocked.Increment(ref _messages);
        if (outcome.Points > 0) Interlocked.Add(ref _pointsAccepted, outcome.Points);
        if (outcome.ReceiveTimeUsed > 0) Interlocked.Add(ref _receiveTimeUsed, outcome.ReceiveTimeUsed);
    }

    internal void Rejected(RejectReason reason) => Interlocked.Increment(ref _rejections[(int)reason]);

    internal void BatchWritten(int points, int bytes)
    {
        Interlocked.Increment(ref _batchesWritten);
        Interlocked.Add(ref _pointsWritten, points);
        Interlocked.Add(ref _bytesWritten, bytes);
    }

    internal void BatchSpooled(int points, int bytes)
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
    internal void LinesRefusedByInflux(int lines) => Interlocked.Add(ref _linesRefused, lines);
    internal void Acked(int messages) => Interlocked.Add(ref _messagesAcked, messages);
}
