namespace Telemetry.Pipeline.Quality;

/// <summary>
/// Per-vehicle counts. <see cref="Received"/> = <see cref="Written"/> + <see cref="Rejected"/> always:
/// a sample is an object of a payload, and a payload rejected whole counts as one sample.
/// </summary>
public struct QualityCounts
{
    /// <summary>Samples received.</summary>
    public long Received;
    /// <summary>Samples that became a point (and go to InfluxDB with their batch).</summary>
    public long Written;
    /// <summary>Samples rejected (dead-lettered with a reason).</summary>
    public long Rejected;
    /// <summary>Fields or keys dropped from points that were still written (<c>field_invalid</c>, <c>unknown_key</c>).</summary>
    public long FieldsDropped;
    /// <summary>Written samples with a <c>seq</c> not seen before.</summary>
    public long SeqReceived;
    /// <summary>
    /// <c>seq</c> numbers skipped, minus those that arrived late and filled a gap. In one interval it can be
    /// negative (a late sample filling a gap counted earlier); summed over any span it is what never arrived.
    /// </summary>
    public long SeqLost;
    /// <summary>Samples whose <c>seq</c> had been seen already (a redelivery or a duplicate publish).</summary>
    public long SeqDuplicates;
    /// <summary>Times the counter went back further than the window (or jumped implausibly far): a device restart.</summary>
    public long SeqResets;

    public readonly bool IsZero => Received == 0 && FieldsDropped == 0 && SeqResets == 0;

    public void Subtract(in QualityCounts written)
    {
        Received -= written.Received;
        Written -= written.Written;
        Rejected -= written.Rejected;
        FieldsDropped -= written.FieldsDropped;
        SeqReceived -= written.SeqReceived;
        SeqLost -= written.SeqLost;
        SeqDuplicates -= written.SeqDuplicates;
        SeqResets -= written.SeqResets;
    }

    public void Add(in QualityCounts other)
    {
        Received += other.Received;
        Written += other.Written;
        Rejected += other.Rejected;
        FieldsDropped += other.FieldsDropped;
        SeqReceived += other.SeqReceived;
        SeqLost += other.SeqLost;
        SeqDuplicates += other.SeqDuplicates;
        SeqResets += other.SeqResets;
    }
}
