using System.Text;
using System.Text.Unicode;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding.Json;
using Telemetry.Contract.Decoding.LineProtocol;
using Telemetry.Contract.Sparkplug;
using Telemetry.Contract.Decoding.Senml;
using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Decoding;

/// <summary>
/// Turns one MQTT message into line protocol: parses the topic, checks the size, picks the reader for the
/// topic's stream and lets it hand the payload's points to the <see cref="PointBuilder"/>, which applies the
/// contract's rules and writes the lines. Allocates nothing per message in steady state. One instance per
/// thread: the readers and the builder keep scratch buffers.
/// </summary>
public sealed class PayloadDecoder
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly SignalCatalogue _catalogue;
    private readonly DecoderOptions _options;
    private readonly PointBuilder _points;
    private readonly JsonPayloadReader _json;
    private readonly SenmlJsonReader _senmlJson;
    private readonly SenmlCborReader _senmlCbor = new();
    private readonly LineProtocolReader _lineProtocol = new();

    public PayloadDecoder(SignalCatalogue catalogue, DecoderOptions? options = null, SparkplugOptions? sparkplug = null)
    {
        _catalogue = catalogue;
        _options = options ?? new DecoderOptions();
        _points = new PointBuilder(catalogue, _options);
        _json = new JsonPayloadReader(_options.MaxDepth);
        Sparkplug = new SparkplugDecoder(catalogue, _points, sparkplug, _options);
        _senmlJson = new SenmlJsonReader(_options.MaxDepth);
    }

    /// <summary>The Sparkplug B host's reading side: its sessions, counters and the rebirth requests it queues.</summary>
    public SparkplugDecoder Sparkplug { get; }

    public SignalCatalogue Catalogue => _catalogue;

    /// <summary>Whether flat JSON payloads are tried with the byte scanner before the full reader (tests turn it off to compare both paths).</summary>
    internal bool FlatScanEnabled { get; set; } = true;

    /// <summary>Appends the message's lines to <paramref name="output"/> and reports what was not written to <paramref name="sink"/>.</summary>
    /// <param name="retained">the broker flagged the message as retained (a replay on subscribe)</param>
    /// <param name="nowUnixMs">the receive time: used for points without a time and for the time window</param>
    /// <param name="contentType">the MQTT 5 Content Type, when the publisher set one: on <c>telemetry</c> it picks the format</param>
    public DecodeOutcome Decode<TSink>(ReadOnlySpan<char> topic, ReadOnlySpan<byte> payload, bool retained, long nowUnixMs,
        LineBuffer output, ref TSink sink, string? contentType = null) where TSink : IDecodeSink, allows ref struct
    {
        if (SparkplugTopic.IsSparkplug(topic))
            return Sparkplug.Decode(topic, payload, retained, nowUnixMs, output, ref sink);
        if (!TopicParser.TryParse(topic, _catalogue, out var parts))
            return _points.RejectMessage(RejectReason.BadTopic, ref sink);
        if (payload.Length > _options.MaxPayloadBytes)
            return _points.RejectMessage(RejectReason.TooLarge, ref sink);
        if (!ContentTypes.TryPick(parts, contentType, out var format))
            return RejectContentType(contentType!, ref sink);
        return format switch
        {
            PayloadFormat.SenmlJson => DecodeSenmlJson(parts, payload, retained, nowUnixMs, output, ref sink),
            PayloadFormat.SenmlCbor => DecodeSenmlCbor(parts, payload, retained, nowUnixMs, output, ref sink),
            PayloadFormat.LineProtocol => DecodeLineProtocol(parts, payload, retained, nowUnixMs, output, ref sink),
            _ => DecodeJson(parts, payload, retained, nowUnixMs, output, ref sink),
        };
    }

    /// <summary>Text as section 2 reads it: an optional BOM, valid UTF-8 (else <c>bad_json</c>; <c>bad_payload</c> for line protocol).</summary>
    private static bool TryGetText(ref ReadOnlySpan<byte> payload)
    {
        if (payload.StartsWith(Utf8Bom)) payload = payload[3..];
        return Utf8.IsValid(payload);
    }

    private DecodeOutcome DecodeSenmlJson<TSink>(in TopicParts parts, ReadOnlySpan<byte> payload, bool retained, long nowUnixMs,
        LineBuffer output, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        if (!TryGetText(ref payload)) return _points.RejectMessage(RejectReason.BadJson, ref sink);
        _points.BeginMessage(parts, retained, nowUnixMs, output);
        var handler = _points.AsHandler();
        return _senmlJson.Read(payload, ref handler) is { } reason ? _points.RejectMessage(reason, ref sink) : _points.EndMessage(ref sink);
    }

    private DecodeOutcome DecodeSenmlCbor<TSink>(in TopicParts parts, ReadOnlySpan<byte> payload, bool retained, long nowUnixMs,
        LineBuffer output, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        _points.BeginMessage(parts, retained, nowUnixMs, output);
        var handler = _points.AsHandler();
        return _senmlCbor.Read(payload, ref handler) is { } reason ? _points.RejectMessage(reason, ref sink) : _points.EndMessage(ref sink);
    }

    /// <summary>Section 7: UTF-8 text (an optional BOM) of lines; not UTF-8 or not line protocol is <c>bad_payload</c>.</summary>
    private DecodeOutcome DecodeLineProtocol<TSink>(in TopicParts parts, ReadOnlySpan<byte> payload, bool retained, long nowUnixMs,
        LineBuffer output, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        if (!TryGetText(ref payload)) return _points.RejectMessage(RejectReason.BadPayload, ref sink);
        _points.BeginMessage(parts, retained, nowUnixMs, output);
        var handler = _points.AsHandler();
        return _lineProtocol.Read(payload, ref handler) is { } reason ? _points.RejectMessage(reason, ref sink) : _points.EndMessage(ref sink);
    }

    /// <summary>Whole message, before anything was written; the dead letter's key holds the content type.</summary>
    private static DecodeOutcome RejectContentType<TSink>(string contentType, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        sink.OnRejected(RejectReason.BadContentType, -1, Encoding.UTF8.GetBytes(contentType.Length > 256 ? contentType[..256] : contentType));
        return new DecodeOutcome { MessageRejection = RejectReason.BadContentType };
    }

    private DecodeOutcome DecodeJson<TSink>(in TopicParts parts, ReadOnlySpan<byte> payload, bool retained, long nowUnixMs,
        LineBuffer output, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        if (!TryGetText(ref payload)) return _points.RejectMessage(RejectReason.BadJson, ref sink);
        _points.BeginMessage(parts, retained, nowUnixMs, output);
        var handler = _points.AsHandler();
        if (!FlatScanEnabled || !_json.TryReadFlat(payload, ref handler))
        {
            // Not the flat shape (or not valid JSON): start again with the full reader, which decides.
            _points.RestartMessage();
            if (!_json.Read(payload, ref handler))
                return _points.RejectMessage(RejectReason.BadJson, ref sink);
        }
        return _points.EndMessage(ref sink);
    }
}
