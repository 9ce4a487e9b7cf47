using Telemetry.Contract.Decoding;
using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Tests;

public class TopicParserTests
{
    [Theory]
    [InlineData("fleet/amata-chonburi/emoto/EM-000123/telemetry", "amata-chonburi", "emoto", "EM-000123", StreamKind.Telemetry)]
    [InlineData("fleet/bkk/h2bus/BUS_7.a/event", "bkk", "h2bus", "BUS_7.a", StreamKind.Event)]
    [InlineData("fleet/0/h2forklift/F/status", "0", "h2forklift", "F", StreamKind.Status)]
    [InlineData("fleet/bkk/emoto/EM-1/senml", "bkk", "emoto", "EM-1", StreamKind.Telemetry, PayloadFormat.SenmlJson)]
    [InlineData("fleet/bkk/emoto/EM-1/senml-cbor", "bkk", "emoto", "EM-1", StreamKind.Telemetry, PayloadFormat.SenmlCbor)]
    [InlineData("fleet/bkk/emoto/EM-1/lp", "bkk", "emoto", "EM-1", StreamKind.Telemetry, PayloadFormat.LineProtocol)]
    public void Parses_valid_topics(string topic, string site, string kind, string vehicle, StreamKind stream, PayloadFormat format = PayloadFormat.Json)
    {
        Assert.True(TopicParser.TryParse(topic, TestCatalogue.Shipped, out var parts));
        Assert.Equal(site, parts.Site.ToString());
        Assert.Equal(kind, parts.Kind.Name);
        Assert.Equal(vehicle, parts.VehicleId.ToString());
        Assert.Equal(stream, parts.Stream);
        Assert.Equal(format, parts.Format);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fleet")]
    [InlineData("fleet/bkk/emoto/EM-1")]
    [InlineData("fleet/bkk/emoto/EM-1/telemetry/extra")]
    [InlineData("fleet/bkk/emoto/EM-1/Telemetry")]
    [InlineData("fleet/bkk/emoto/EM-1/")]
    [InlineData("Fleet/bkk/emoto/EM-1/telemetry")]
    [InlineData("/fleet/bkk/emoto/EM-1/telemetry")]
    [InlineData("fleet//emoto/EM-1/telemetry")]
    [InlineData("fleet/BKK/emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk_1/emoto/EM-1/telemetry")]
    [InlineData("fleet/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk/scooter/EM-1/telemetry")]
    [InlineData("fleet/bkk/Emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk/emoto//telemetry")]
    [InlineData("fleet/bkk/emoto/EM 1/telemetry")]
    [InlineData("fleet/bkk/emoto/EM,1/telemetry")]
    [InlineData("fleet/bkk/emoto/EM=1/telemetry")]
    [InlineData("fleet/bkk/emoto/+/telemetry")]
    [InlineData("fleet/bkk/emoto/#/telemetry")]
    [InlineData("fleet/bkk/emoto/EM-ไทย/telemetry")]
    [InlineData("fleet/bkk/emoto/EM-1\n/telemetry")]
    [InlineData("fleet/bkk/emoto/EM-1/telemetry ")]
    [InlineData("fleet/bkk/emoto/EM-1/senml-json")]
    [InlineData("fleet/bkk/emoto/EM-1/senml/cbor")]
    [InlineData("fleet/bkk/emoto/EM-1/LP")]
    [InlineData("fleet/bkk/emoto/EM-1/cbor")]
    public void Rejects_topics_outside_the_contract(string topic)
    {
        Assert.False(TopicParser.TryParse(topic, TestCatalogue.Shipped, out _));
    }

    [Fact]
    public void Length_limits_are_inclusive()
    {
        var site32 = new string('a', 32);
        var id64 = new string('V', 64);
        Assert.True(TopicParser.TryParse($"fleet/{site32}/emoto/{id64}/telemetry", TestCatalogue.Shipped, out _));
        Assert.False(TopicParser.TryParse($"fleet/{site32}/emoto/{id64}V/telemetry", TestCatalogue.Shipped, out _));
    }
}
