namespace Telemetry.Contract.Sparkplug;

/// <summary>Why the host asked an edge node to rebirth.</summary>
public enum RebirthCause { SeqGap, UnknownAlias, NoBirth }

/// <summary>What the Sparkplug host has seen and done since start-up, for /metrics. Read from any thread.</summary>
public sealed class SparkplugCounters
{
    private readonly long[] _messages = new long[Enum.GetValues<SparkplugMessageType>().Length];
    private readonly long[] _rebirths = new long[Enum.GetValues<RebirthCause>().Length];
    private long _staleDeaths, _seqOutOfOrder, _seqDuplicates, _aliasTables;

    public long Messages(SparkplugMessageType type) => Interlocked.Read(ref _messages[(int)type]);
    public long RebirthsRequested(RebirthCause cause) => Interlocked.Read(ref _rebirths[(int)cause]);
    /// <summary>NDEATHs whose <c>bdSeq</c> was not the current NBIRTH's (a will from an older connection): ignored.</summary>
    public long StaleDeaths => Interlocked.Read(ref _staleDeaths);
    /// <summary>Messages whose <c>seq</c> came ahead of the expected one (a gap, filled later or not).</summary>
    public long SeqOutOfOrder => Interlocked.Read(ref _seqOutOfOrder);
    public long SeqDuplicates => Interlocked.Read(ref _seqDuplicates);
    /// <summary>Alias tables held now (edge nodes and devices).</summary>
    public long AliasTables => Interlocked.Read(ref _aliasTables);

    internal void Message(SparkplugMessageType type) => Interlocked.Increment(ref _messages[(int)type]);
    internal void Rebirth(RebirthCause cause) => Interlocked.Increment(ref _rebirths[(int)cause]);
    internal void StaleDeath() => Interlocked.Increment(ref _staleDeaths);
    internal void OutOfOrder() => Interlocked.Increment(ref _seqOutOfOrder);
    internal void Duplicate() => Interlocked.Increment(ref _seqDuplicates);
    internal void SetAliasTables(long count) => Interlocked.Exchange(ref _aliasTables, count);
}
