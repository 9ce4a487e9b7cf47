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
}
