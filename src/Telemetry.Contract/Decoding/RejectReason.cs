namespace Telemetry.Contract.Decoding;

/// <summary>Why something was not written: a whole message (<c>bad_topic</c>, <c>too_large</c>, <c>bad_json</c>, <c>bad_payload</c>, <c>bad_content_type</c>), one point, or one field.</summary>
public enum RejectReason
{
    /// <summary>The topic does not match <c>fleet/{site}/{kind}/{vehicle_id}/{stream}</c> with a catalogue kind.</summary>
    BadTopic,
    /// <summary>The payload is above the configured maximum size.</summary>
    TooLarge,
    /// <summary>Not valid UTF-8 or JSON, nesting too deep, or not an object or an array of objects.</summary>
    BadJson,
    /// <summary>An object's <c>ts</c> is older than the maximum age or too far in the future.</summary>
    TsOutOfRange,
    /// <summary>An object's <c>ts</c> is neither an integer of epoch milliseconds nor an RFC 3339 time with an offset.</summary>
    TsInvalid,
    /// <summary>A value of the wrong JSON type or outside the catalogue's range: that field is dropped.</summary>
    FieldInvalid,
    /// <summary>No valid field remained in an object.</summary>
    NoFields,
    /// <summary>A key the catalogue does not know for this kind and stream: that key is dropped.</summary>
    UnknownKey,
    /// <summary>The same field twice in one object (by key or by VSS path).</summary>
    DuplicateField,
    /// <summary>An event without a valid <c>type</c>, or a status without <c>online</c>.</summary>
    MissingRequired,
    /// <summary>A retained message with no <c>ts</c>, replayed by the broker: writing it would repeat an old state at a new time.</summary>
    RetainedWithoutTs,
    /// <summary>A payload that is not readable in its format (CBOR, protobuf, line protocol) or not of the format's shape (a SenML pack).</summary>
    BadPayload,
    /// <summary>An MQTT 5 Content Type the gateway does not read, or one the topic's stream does not carry (see <see cref="ContentTypes"/>).</summary>
    BadContentType,
    /// <summary>Sparkplug DATA naming an alias that no BIRTH of its edge node or device declared: the whole message, and a rebirth is asked for.</summary>
    SparkplugUnknownAlias,
    /// <summary>Sparkplug DATA, DBIRTH or a device's DATA from an edge node or device whose BIRTH the host has not seen: a rebirth is asked for.</summary>
    SparkplugNoBirth,
    /// <summary>A Sparkplug BIRTH that would need an alias table beyond <c>Sparkplug:MaxAliasTables</c>.</summary>
    SparkplugAliasTablesFull,
}

public static class RejectReasons
{
    public const int Count = (int)RejectReason.SparkplugAliasTablesFull + 1;

    private static readonly string[] Names =
    [
        "bad_topic", "too_large", "bad_json", "ts_out_of_range", "ts_invalid", "field_invalid",
        "no_fields", "unknown_key", "duplicate_field", "missing_required", "retained_without_ts", "bad_payload",
        "bad_content_type",
        "sparkplug_unknown_alias", "sparkplug_no_birth", "sparkplug_alias_tables_full",
    ];

    public static IReadOnlyList<string> All => Names;

    public static string Name(this RejectReason reason) => Names[(int)reason];

    /// <summary>True when the reason drops one field or key and the point is still written.</summary>
    public static bool IsFieldLevel(this RejectReason reason) => reason is RejectReason.FieldInvalid or RejectReason.UnknownKey;
}
