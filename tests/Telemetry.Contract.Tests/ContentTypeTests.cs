using System.Text;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Tests;

/// <summary>The MQTT 5 Content Type → payload format rules.</summary>
public sealed class ContentTypeTests
{
    [Theory]
    [InlineData("application/json", PayloadFormat.Json)]
    [InlineData("Application/JSON", PayloadFormat.Json)]
    [InlineData("application/json; charset=utf-8", PayloadFormat.Json)]
    [InlineData("application/json;charset=\"UTF-8\"", PayloadFormat.Json)]
    [InlineData(" application/json ", PayloadFormat.Json)]
    [InlineData("application/senml+json", PayloadFormat.SenmlJson)]
    [InlineData("application/senml+json; charset=utf8", PayloadFormat.SenmlJson)]
    [InlineData("application/senml+cbor", PayloadFormat.SenmlCbor)]
    public void Known_types_are_read(string contentType, PayloadFormat expected)
    {
        Assert.True(ContentTypes.TryParse(contentType, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData("")]
    [InlineData("application/xml")]
    [InlineData("text/plain")]
    [InlineData("application/cbor")]
    [InlineData("application/jsonx")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/senml-exi")]
    [InlineData("json")]
    public void Unknown_types_and_other_charsets_are_not(string contentType) =>
        Assert.False(ContentTypes.TryParse(contentType, out _));

    [Theory]
    [InlineData(StreamKind.Telemetry, null, true, PayloadFormat.Json)]
    [InlineData(StreamKind.Telemetry, "application/json", true, PayloadFormat.Json)]
    [InlineData(StreamKind.Telemetry, "application/senml+json", true, PayloadFormat.SenmlJson)]
    [InlineData(StreamKind.Telemetry, "application/senml+cbor", true, PayloadFormat.SenmlCbor)]
    [InlineData(StreamKind.Telemetry, "application/xml", false, null)]
    [InlineData(StreamKind.Event, null, true, PayloadFormat.Json)]
    [InlineData(StreamKind.Event, "application/json", true, PayloadFormat.Json)]
    [InlineData(StreamKind.Event, "application/senml+json", false, null)]
    [InlineData(StreamKind.Status, "application/senml+cbor", false, null)]
    [InlineData(StreamKind.Status, "text/plain", false, null)]
    public void The_telemetry_stream_takes_any_known_format_the_others_only_their_own(StreamKind stream, string? contentType, bool picked, PayloadFormat? expected)
    {
        Assert.Equal(picked, ContentTypes.TryPick(stream, contentType, out var format));
        if (picked) Assert.Equal(expected, format);
    }

    private struct RecordingSink : IDecodeSink
    {
        public List<string> Log;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Log.Add($"point {objectIndex}");
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) =>
            Log.Add($"{reason.Name()} {objectIndex} {Encoding.UTF8.GetString(key)}");
    }

    private static (string Lines, List<string> Log, DecodeOutcome Outcome) Decode(string topic, string json, string? contentType)
    {
        var decoder = new PayloadDecoder(TestCatalogue.Shipped);
        using var output = new LineBuffer(1024);
        var sink = new RecordingSink { Log = [] };
        var outcome = decoder.Decode(topic, Encoding.UTF8.GetBytes(json), false, TestCatalogue.Now, output, ref sink, contentType);
        return (Encoding.UTF8.GetString(output.WrittenSpan), sink.Log, outcome);
    }

    private const string Telemetry = "fleet/bkk/emoto/EM-1/telemetry";
    private const string Json = """{"ts":1795593600000,"speed_kmh":38.5}""";

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    public void Json_named_as_such_is_decoded_as_without_a_content_type(string contentType)
    {
        var named = Decode(Telemetry, Json, contentType);
        Assert.Equal(Decode(Telemetry, Json, null).Lines, named.Lines);
        Assert.Equal(["point 0"], named.Log);
    }

    [Theory]
    [InlineData(Telemetry, "application/xml")]
    [InlineData(Telemetry, "text/plain")]
    [InlineData("fleet/bkk/emoto/EM-1/event", "application/senml+json")]
    [InlineData("fleet/bkk/emoto/EM-1/status", "application/senml+cbor")]
    public void An_unknown_or_misplaced_content_type_rejects_the_message_naming_it(string topic, string contentType)
    {
        var (lines, log, outcome) = Decode(topic, Json, contentType);
        Assert.Equal("", lines);
        Assert.Equal([$"bad_content_type -1 {contentType}"], log);
        Assert.Equal(RejectReason.BadContentType, outcome.MessageRejection);
    }

    [Fact]
    public void A_bad_topic_is_reported_before_the_content_type() =>
        Assert.Equal(["bad_topic -1 "], Decode("fleet/bkk/nosuchkind/EM-1/telemetry", Json, "application/xml").Log);
}
