using System.Text.Json;
using Telemetry.IntegrationTests.Services;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>Gateway against a real mosquitto and a real influxd, read back with InfluxQL.</summary>
[Collection("services")]
public sealed class IngestEndToEndTests(ServicesFixture services, ITestOutputHelper output)
{
    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Settings that pick the MQTT client (Mqtt:Client): both are run through the tests that matter most.</summary>
    private static Dictionary<string, string?> Client(string client) => new() { ["Mqtt:Client"] = client };

    [Theory]
    [EachMqttClient]
    public async Task Telemetry_events_and_status_land_with_exact_values_tags_types_and_times(string client)
    {
        string db = InfluxServer.NewDatabaseName("exact");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db, Client(client));
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = NowMs() - 60_000;

        await publisher.PublishAsync("fleet/amata-chonburi/emoto/EM-000123/telemetry",
            $$"""{"ts":{{ts}},"seq":1042,"speed_kmh":38.5,"lat":13.7563,"lon":100.5018,"soc_pct":76.2,"batt_v":72.4,"batt_a":-18.3,"batt_temp_c":34.1,"ignition":true,"battery_id":"BP-\"88\" \\x","odo_km":1e-5}""");
        await publisher.PublishAsync("fleet/amata-chonburi/emoto/EM-000123/event",
            $$"""{"ts":{{ts + 1}},"type":"battery_swap","battery_id":"BP-88812","station_id":"SW-BKK-031","soc_pct":96.0}""");
        await publisher.PublishAsync("fleet/laem-chabang/h2bus/BUS-7/telemetry",
            $$"""[{"ts":"{{DateTimeOffset.FromUnixTimeMilliseconds(ts).ToOffset(TimeSpan.FromHours(7)):yyyy-MM-ddTHH:mm:ss.fffzzz}}","passengers":42,"h2_mass_kg":30,"fc_state":"run","door_open":false},{"ts":{{ts + 1000}},"passengers":43}]""");
        await publisher.PublishAsync("fleet/laem-chabang/h2bus/BUS-7/status", $$"""{"ts":{{ts}},"online":true,"fw":"2.4.1","rssi_dbm":-71}""");
        await gateway.WaitForAckedAsync(4, TimeSpan.FromSeconds(20));

        var telemetry = (await services.Influx.QueryAsync(db, "SELECT * FROM telemetry WHERE vehicle_id = 'EM-000123'")).Rows().Single();
        Assert.Equal(ts, telemetry["time"].GetInt64());
        Assert.Equal("amata-chonburi", telemetry["site"].GetString());
        Assert.Equal("emoto", telemetry["kind"].GetString());
        Assert.Equal(1042, telemetry["seq"].GetInt64());
        Assert.Equal(38.5, telemetry["speed_kmh"].GetDouble());
        Assert.Equal(13.7563, telemetry["lat"].GetDouble());
        Assert.Equal(-18.3, telemetry["batt_a"].GetDouble());
        Assert.True(telemetry["ignition"].GetBoolean());
        Assert.Equal("BP-\"88\" \\x", telemetry["battery_id"].GetString());
        Assert.Equal(0.00001, telemetry["odo_km"].GetDouble());

        var fieldTypes = (await services.Influx.QueryAsync(db, "SHOW FIELD KEYS FROM telemetry")).Rows()
            .ToDictionary(r => r["fieldKey"].GetString()!, r => r["fieldType"].GetString());
        Assert.Equal("integer", fieldTypes["seq"]);
        Assert.Equal("integer", fieldTypes["passengers"]);
        Assert.Equal("float", fieldTypes["speed_kmh"]);
        Assert.Equal("float", fieldTypes["h2_mass_kg"]);
        Assert.Equal("boolean", fieldTypes["ignition"]);
        Assert.Equal("string", fieldTypes["fc_state"]);

        var tagKeys = (await services.Influx.QueryAsync(db, "SHOW TAG KEYS FROM events")).Rows().Select(r => r["tagKey"].GetString()!).ToArray();
        Assert.Equal(["kind", "site", "type", "vehicle_id"], tagKeys);
        var swap = (await services.Influx.QueryAsync(db, "SELECT * FROM events WHERE \"type\" = 'battery_swap'")).Rows().Single();
        Assert.Equal(ts + 1, swap["time"].GetInt64());
        Assert.Equal("SW-BKK-031", swap["station_id"].GetString());
        Assert.Equal(96.0, swap["soc_pct"].GetDouble());

        var bus = (await services.Influx.QueryAsync(db, "SELECT passengers, h2_mass_kg, fc_state FROM telemetry WHERE vehicle_id = 'BUS-7'")).Rows().ToArray();
        Assert.Equal([ts, ts + 1000], bus.Select(r => r["time"].GetInt64()));
        Assert.Equal([42L, 43L], bus.Select(r => r["passengers"].GetInt64()));
        Assert.Equal("run", bus[0]["fc_state"].GetString());
        Assert.Equal(JsonValueKind.Null, bus[1]["fc_state"].ValueKind);

        var status = (await services.Influx.QueryAsync(db, "SELECT * FROM status")).Rows().Single();
        Assert.Equal("2.4.1", status["fw"].GetString());
        Assert.Equal(-71.0, status["rssi_dbm"].GetDouble());
        Assert.True(status["online"].GetBoolean());
        Assert.Equal(5, gateway.Counters.PointsWritten);
    }

    [Theory]
    [EachMqttClient]
    public async Task Ten_thousand_qos1_messages_arrive_exactly_once(string client)
    {
        string db = InfluxServer.NewDatabaseName("tenk");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db, Client(client));
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long start = NowMs() - 120_000;
        const int count = 10_000;

        await publisher.PublishManyAsync(count, i =>
            ($"fleet/bkk/emoto/EM-{i % 50:D4}/telemetry", $$"""{"ts":{{start + i}},"seq":{{i}},"speed_kmh":{{i % 250}}.5,"soc_pct":50}"""));
        await gateway.WaitForAckedAsync(count, TimeSpan.FromSeconds(60));

        var counted = await services.Influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", count, TimeSpan.FromSeconds(10));
        Assert.Equal(count, counted);
        var sum = (await services.Influx.QueryAsync(db, "SELECT SUM(seq) FROM telemetry")).Rows().Single()["sum"].GetInt64();
        Assert.Equal((long)count * (count - 1) / 2, sum);
        Assert.Equal(count, gateway.Counters.Messages);
        Assert.Equal(count, gateway.Counters.PointsWritten);
        output.WriteLine($"batches: {gateway.Counters.BatchesWritten}");
    }

    [Fact]
    public async Task A_bad_message_is_dead_lettered_and_the_next_good_one_lands()
    {
        string db = InfluxServer.NewDatabaseName("dlq");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db);
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = NowMs() - 1000;

        await publisher.PublishAsync("fleet/bkk/emoto/EM-9/telemetry", $$"""{"ts":{{ts}},"speed_kmh":""");
        await publisher.PublishAsync("fleet/bkk/scooter/EM-9/telemetry", $$"""{"ts":{{ts}},"speed_kmh":1}""");
        await publisher.PublishAsync("fleet/bkk/emoto/EM-9/telemetry", $$"""{"ts":{{ts}},"speed_kmh":1,"mystery":2,"soc_pct":101}""");
        await publisher.PublishAsync("fleet/bkk/emoto/EM-9/telemetry", $$"""{"ts":{{ts + 1}},"speed_kmh":2}""");
        await gateway.WaitForAckedAsync(4, TimeSpan.FromSeconds(20));

        var rows = (await services.Influx.QueryAsync(db, "SELECT speed_kmh FROM telemetry")).Rows().ToArray();
        Assert.Equal([1.0, 2.0], rows.Select(r => r["speed_kmh"].GetDouble()));
        var letters = gateway.DeadLetters().Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["bad_json", "bad_topic", "unknown_key", "field_invalid"], letters.Select(l => l.GetProperty("reason").GetString()!).ToArray());
        Assert.Equal($$"""{"ts":{{ts}},"speed_kmh":""", letters[0].GetProperty("payload").GetString());
        Assert.Equal("fleet/bkk/scooter/EM-9/telemetry", letters[1].GetProperty("topic").GetString());
        Assert.Equal("mystery", letters[2].GetProperty("key").GetString());
        Assert.Equal("soc_pct", letters[3].GetProperty("key").GetString());
        Assert.Equal(1, gateway.Counters.Rejections(Contract.Decoding.RejectReason.BadJson));
    }

    [Theory]
    [EachMqttClient]
    public async Task Messages_published_while_the_gateway_is_away_arrive_when_it_returns(string client)
    {
        string db = InfluxServer.NewDatabaseName("session");
        string clientId = $"gw-session-{client}";
        long ts = NowMs() - 5000;
        await (await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db, Client(client), clientId)).DisposeAsync();

        await using (var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port))
            await publisher.PublishManyAsync(500, i => ("fleet/bkk/h2truck/TRK-1/telemetry", $$"""{"ts":{{ts + i}},"seq":{{i}},"payload_kg":{{i}}}"""));

        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db, Client(client), clientId);
        await gateway.WaitForAckedAsync(500, TimeSpan.FromSeconds(20));
        Assert.Equal(500, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(payload_kg) FROM telemetry", 500, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_retained_status_without_ts_is_not_rewritten_on_resubscribe()
    {
        string db = InfluxServer.NewDatabaseName("retain");
        await using (var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port))
            await publisher.PublishAsync("fleet/bkk/h2forklift/FL-RETAIN/status", """{"online":false}""", retain: true);

        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db);
        await gateway.WaitForAckedAsync(1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, gateway.Counters.Rejections(Contract.Decoding.RejectReason.RetainedWithoutTs));
        Assert.Equal(0, (await services.Influx.QueryAsync(db, "SELECT COUNT(online) FROM status")).Count());

        await using (var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port))
            await publisher.PublishAsync("fleet/bkk/h2forklift/FL-RETAIN/status", "", retain: true); // clear the retained message
    }
}
