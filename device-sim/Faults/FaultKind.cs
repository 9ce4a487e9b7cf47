namespace DeviceSim.Faults;

/// <summary>
/// Faults the simulator can inject, with the gateway's reason each one must produce. Payload faults
/// change what is sent; delivery faults change how it is sent; clock skew changes a vehicle's clock.
/// </summary>
public enum FaultKind
{
    // Payload faults: at most one per telemetry message.
    Truncated,
    WrongType,
    OutOfRange,
    UnknownKey,
    NoFields,
    DuplicateField,
    StaleTs,
    BadTopic,
    // Sparkplug B only (payload slot, last so that the other faults fall on the same messages in every format).
    UnknownAlias,
    DataBeforeBirth,
    WrongBdSeq,
    // Delivery faults: at most one per telemetry message.
    Duplicate,
    OutOfOrder,
    Late,
    SeqGap,
    // A fraction of vehicles, not of messages.
    ClockSkew,
}

public static class FaultKinds
{
    public static readonly IReadOnlyList<FaultKind> Payload =
        [FaultKind.Truncated, FaultKind.WrongType, FaultKind.OutOfRange, FaultKind.UnknownKey, FaultKind.NoFields,
         FaultKind.DuplicateField, FaultKind.StaleTs, FaultKind.BadTopic,
         FaultKind.UnknownAlias, FaultKind.DataBeforeBirth, FaultKind.WrongBdSeq];

    /// <summary>Faults of a Sparkplug session; in the other formats they do not exist and are never picked.</summary>
    public static readonly IReadOnlyList<FaultKind> SparkplugOnly = [FaultKind.UnknownAlias, FaultKind.DataBeforeBirth, FaultKind.WrongBdSeq];

    public static readonly IReadOnlyList<FaultKind> Delivery = [FaultKind.Duplicate, FaultKind.OutOfOrder, FaultKind.Late, FaultKind.SeqGap];

    public static readonly IReadOnlyList<FaultKind> All = [.. Payload, .. Delivery, FaultKind.ClockSkew];

    public static string Name(this FaultKind kind) => kind switch
    {
        FaultKind.Truncated => "truncated",
        FaultKind.WrongType => "wrong_type",
        FaultKind.OutOfRange => "out_of_range",
        FaultKind.UnknownKey => "unknown_key",
        FaultKind.NoFields => "no_fields",
        FaultKind.DuplicateField => "duplicate_field",
        FaultKind.StaleTs => "stale_ts",
        FaultKind.BadTopic => "bad_topic",
        FaultKind.UnknownAlias => "unknown_alias",
        FaultKind.DataBeforeBirth => "data_before_birth",
        FaultKind.WrongBdSeq => "wrong_bdseq",
        FaultKind.Duplicate => "duplicate",
        FaultKind.OutOfOrder => "out_of_order",
        FaultKind.Late => "late",
        FaultKind.SeqGap => "seq_gap",
        _ => "clock_skew",
    };

    /// <summary>
    /// The gateway's reason for a payload fault (delivery faults and skew are not rejected; a stale NDEATH is ignored).
    /// A cut payload is <c>bad_json</c> in JSON and SenML JSON, <c>bad_payload</c> in Sparkplug and SenML CBOR.
    /// </summary>
    public static string? ExpectedReason(this FaultKind kind) => kind switch
    {
        FaultKind.Truncated => "bad_json",
        FaultKind.UnknownAlias => "sparkplug_unknown_alias",
        FaultKind.DataBeforeBirth => "sparkplug_no_birth",
        FaultKind.WrongType or FaultKind.OutOfRange => "field_invalid",
        FaultKind.UnknownKey => "unknown_key",
        FaultKind.NoFields => "no_fields",
        FaultKind.DuplicateField => "duplicate_field",
        FaultKind.StaleTs => "ts_out_of_range",
        FaultKind.BadTopic => "bad_topic",
        _ => null,
    };

    /// <summary>By name (<c>truncated</c>), or by the reason it produces where that is unambiguous (<c>bad_json</c>, <c>ts_out_of_range</c>).</summary>
    public static FaultKind? Parse(string name) => name switch
    {
        "bad_json" => FaultKind.Truncated,
        "ts_out_of_range" => FaultKind.StaleTs,
        _ => All.Where(k => k.Name() == name).Cast<FaultKind?>().FirstOrDefault(),
    };
}
