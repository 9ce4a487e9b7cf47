namespace Telemetry.Contract.Sparkplug;

/// <summary>
/// Why a payload is not protobuf the host will read. Each one rejects the whole message as
/// <c>bad_payload</c>; the name says which rule it broke (kept in the dead letter).
/// </summary>
public enum PayloadError : byte
{
    None,
    /// <summary>A varint runs past the end of the message that holds it.</summary>
    TruncatedVarint,
    /// <summary>A varint longer than ten bytes.</summary>
    OverlongVarint,
    /// <summary>A fixed32 or fixed64 value runs past the end.</summary>
    TruncatedFixed,
    /// <summary>A length-delimited field claims more bytes than remain.</summary>
    LengthPastEnd,
    /// <summary>Field number 0.</summary>
    InvalidTag,
    /// <summary>Wire type 6 or 7, or a group (3, 4): deprecated, and never part of Sparkplug.</summary>
    UnsupportedWireType,
    /// <summary>A field of the Sparkplug schema sent with another wire type than the schema's.</summary>
    WrongWireType,
    /// <summary>A string field (a name, a string value, a property key…) that is not valid UTF-8, which protobuf requires.</summary>
    InvalidUtf8,
    /// <summary>Template, DataSet or PropertySet values nested deeper than the limit.</summary>
    TooDeep,
    /// <summary>More metrics in one payload than the limit.</summary>
    TooManyMetrics,
    /// <summary>A repeated field inside a metric (properties, template members, dataset rows, columns, values) longer than the limit.</summary>
    TooManyElements,
}

public static class PayloadErrors
{
    private static readonly string[] Names =
    [
        "none", "truncated_varint", "overlong_varint", "truncated_fixed", "length_past_end", "invalid_tag",
        "unsupported_wire_type", "wrong_wire_type", "invalid_utf8", "too_deep", "too_many_metrics", "too_many_elements",
    ];

    private static readonly byte[][] Utf8Names = Names.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();

    public static IReadOnlyList<string> All => Names;

    public static ReadOnlySpan<byte> NameUtf8(this PayloadError error) => Utf8Names[(int)error];

    public static string Name(this PayloadError error) => Names[(int)error];
}
