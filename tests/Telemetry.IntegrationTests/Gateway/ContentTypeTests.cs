using System.Text;
using System.Text.Json;
using Telemetry.Contract.Decoding;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>
/// MQTT 5 Content Type, end to end: an MQTTnet publisher sets it, real mosquitto forwards it, each of the
/// gateway's MQTT clients hands it to the decoder; read back from a real influxd.
/// </summary>
[Collection("services")]
public sealed class ContentTypeTests(ServicesFixture services)
{
    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Theory]
    [EachMqttClient]
    public async Task A_known_content_type_is_read_and_an_unknown_or_misplaced_one_is_rejected_with_its_reason(string client)
    {
        string db = InfluxServer.NewDatabaseName("ctype");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db,
            new Dictionary<string, string?> { ["Mqtt:Client"] = client }, clientId: $"gw-ctype-{client}");
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = NowMs() - 60_000;
        byte[] Telemetry(int i) => Encoding.UTF8.GetBytes($$"""{"ts":{{ts + i}},"speed_kmh":{{i}}.5}""");
        byte[] Event(int i) => Encoding.UTF8.GetBytes($$"""{"ts":{{ts + i}},"type":"trip_start"}""");

        await publisher.PublishAsync("fleet/bkk/emoto/CT-1/telemetry", Telemetry(0), contentType: "application/json");
        await publisher.PublishAsync("fleet/bkk/emoto/CT-1/telemetry", Telemetry(1), contentType: "application/json; charset=utf-8");
        await publisher.PublishAsync("fleet/bkk/emoto/CT-1/telemetry", Telemetry(2));
        await publisher.PublishAsync("fleet/bkk/emoto/CT-1/event", Event(3), contentType: "application/json");
        await publisher.PublishAsync("fleet/bkk/emoto/CT-1/telemetry", Telemetry(4), contentType: "application/xml");
        await publisher.PublishAsync("fleet/bkk/emoto/CT-1/telemetry", Telemetry(5), contentType: "application/json; charset=iso-8859-1");
        await publisher.PublishAsync("fleet/bkk/emoto/CT-1/event", Event(6), contentType: "application/senml+json");
        await gateway.WaitForAckedAsync(7, TimeSpan.FromSeconds(20));

        Assert.Equal(3, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(speed_kmh) FROM telemetry", 3, TimeSpan.FromSeconds(10)));
        Assert.Equal(1, (await services.Influx.QueryAsync(db, "SELECT COUNT(n) FROM events")).Count());
        Assert.Equal(3, gateway.Counters.Rejections(RejectReason.BadContentType));
        var letters = gateway.DeadLetters().Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, letters.Length);
        Assert.All(letters, l => Assert.Equal("bad_content_type", l.GetProperty("reason").GetString()));
        Assert.Equal(["application/xml", "application/json; charset=iso-8859-1", "application/senml+json"],
            letters.Select(l => l.GetProperty("key").GetString()));
    }
}
