namespace DeviceSim.Publishing;

/// <summary>How an object's <c>ts</c> is written.</summary>
public enum TsStyle { EpochMs, Rfc3339Bangkok, Omitted }

/// <summary>
/// One JSON object of a payload (a telemetry sample, an event or a status), plus what the gateway
/// is expected to do with it (filled in by the fault injector; the default is "written, nothing dropped").
/// </summary>
public sealed class SampleObject
{
    public SampleObject(StreamKind stream, long tsMs, List<FieldValue> fields)
    {
        Stream = stream;
        TsMs = tsMs;
        IssuedTsMs = tsMs;
        Fields = fields;
    }

    public StreamKind Stream { get; }
    public long TsMs { get; set; }
    /// <summary>The time the vehicle stamped, before any fault moved it (the day its sequence number belongs to).</summary>
    public long IssuedTsMs { get; private init; }
    public TsStyle TsStyle { get; set; } = TsStyle.EpochMs;
    public uint? Seq { get; set; }
    public List<FieldValue> Fields { get; set; }
    /// <summary>For events: the <c>type</c> (a tag of the point, so part of its series).</summary>
    public string? EventType { get; init; }

    /// <summary>Reason the gateway rejects this whole object, or null when it writes a point.</summary>
    public string? ExpectedRejection { get; set; }
    /// <summary>Reasons for fields the gateway drops from a written point (field_invalid, unknown_key).</summary>
    public List<string> ExpectedFieldRejections { get; } = [];

    public SampleObject Clone() => new(Stream, TsMs, [.. Fields])
    {
        IssuedTsMs = IssuedTsMs,
        TsStyle = TsStyle,
        Seq = Seq,
        EventType = EventType,
        ExpectedRejection = ExpectedRejection,
    };
}
