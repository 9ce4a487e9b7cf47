using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Decoding;

/// <summary>How a payload is written: named by the topic's stream (wire contract sections 2, 6 and 7) or by the MQTT 5 Content Type.</summary>
public enum PayloadFormat
{
    /// <summary>Section 2 JSON: streams <c>telemetry</c>, <c>event</c>, <c>status</c>; <c>application/json</c>.</summary>
    Json,
    /// <summary>SenML JSON (RFC 8428): stream <c>senml</c>; <c>application/senml+json</c>.</summary>
    SenmlJson,
    /// <summary>SenML CBOR (RFC 8428 section 6): stream <c>senml-cbor</c>; <c>application/senml+cbor</c>.</summary>
    SenmlCbor,
    /// <summary>InfluxDB line protocol (section 7): stream <c>lp</c> only; <c>text/plain</c>, as InfluxDB's write API takes it.</summary>
    LineProtocol,
}

/// <summary>
/// MQTT 5's Content Type (a MIME type) → how to read the payload. On the <c>telemetry</c> stream it picks the
/// format; every other stream has one format, and a content type there must name it (or be absent).
/// A content type the gateway does not read, or one a stream does not carry, rejects the message (<c>bad_content_type</c>).
/// </summary>
public static class ContentTypes
{
    public const string Json = "application/json";
    public const string SenmlJson = "application/senml+json";
    public const string SenmlCbor = "application/senml+cbor";
    /// <summary>Accepted on the <c>lp</c> stream only: too general a type to pick a format on <c>telemetry</c>.</summary>
    public const string LineProtocol = "text/plain";

    /// <summary>
    /// What to read a message as, from its topic: on <c>telemetry</c> as <see cref="TryPick(StreamKind, string?, out PayloadFormat)"/>;
    /// the <c>senml</c>, <c>senml-cbor</c> and <c>lp</c> streams name their format, and a content type there must name the same
    /// (<c>text/plain</c> for <c>lp</c>).
    /// </summary>
    public static bool TryPick(in TopicParts topic, string? contentType, out PayloadFormat format)
    {
        if (topic.Format == PayloadFormat.Json) return TryPick(topic.Stream, contentType, out format);
        format = topic.Format;
        if (contentType is null) return true;
        if (topic.Format == PayloadFormat.LineProtocol) return IsLineProtocol(contentType);
        return TryParse(contentType, out var named) && named == topic.Format;
    }

    /// <summary><c>text/plain</c>, UTF-8 if a charset is named.</summary>
    private static bool IsLineProtocol(ReadOnlySpan<char> contentType)
    {
        int semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(LineProtocol, StringComparison.OrdinalIgnoreCase)
            && (semicolon < 0 || CharsetIsUtf8(contentType[(semicolon + 1)..]));
    }

    /// <summary>
    /// What to read a message as: its stream's format when <paramref name="contentType"/> is null, else the format
    /// the content type names if the stream carries it. False when the content type is unknown or does not fit the stream.
    /// </summary>
    public static bool TryPick(StreamKind stream, string? contentType, out PayloadFormat format)
    {
        format = FormatOf(stream);
        if (contentType is null) return true;
        if (!TryParse(contentType, out var named)) return false;
        if (stream != StreamKind.Telemetry && named != format) return false;
        format = named;
        return true;
    }

    /// <summary>The format a stream carries when no content type says otherwise.</summary>
    public static PayloadFormat FormatOf(StreamKind stream) => stream switch
    {
        // telemetry, event and status are JSON (wire contract section 2)
        _ => PayloadFormat.Json,
    };

    /// <summary>
    /// A MIME type as RFC 2045 writes it: <c>type/subtype</c> compared without case, parameters after <c>;</c>.
    /// A <c>charset</c> other than UTF-8 makes a JSON type unreadable (SenML and the contract are UTF-8 only).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> contentType, out PayloadFormat format)
    {
        format = PayloadFormat.Json;
        int semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        if (mediaType.Equals(Json, StringComparison.OrdinalIgnoreCase)) format = PayloadFormat.Json;
        else if (mediaType.Equals(SenmlJson, StringComparison.OrdinalIgnoreCase)) format = PayloadFormat.SenmlJson;
        else if (mediaType.Equals(SenmlCbor, StringComparison.OrdinalIgnoreCase)) format = PayloadFormat.SenmlCbor;
        else return false;
        return semicolon < 0 || format == PayloadFormat.SenmlCbor || CharsetIsUtf8(contentType[(semicolon + 1)..]);
    }

    /// <summary>True when no parameter is a charset, or the charset is UTF-8.</summary>
    private static bool CharsetIsUtf8(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            int equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase)) continue;
            var value = parameter[(equals + 1)..].Trim().Trim('"');
            if (!value.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !value.Equals("utf8", StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }
}
