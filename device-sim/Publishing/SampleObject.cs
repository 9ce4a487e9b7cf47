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
        Fields = fields;
    }

    public StreamKind Stream { get; }
    public long TsMs { get; set; }
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
        TsStyle = TsStyle,
        Seq = Seq,
        EventType = EventType,
        ExpectedRejection = ExpectedRejection,
    };
}
