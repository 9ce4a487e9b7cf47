using System.Text;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>Line protocol from a depot gateway (wire contract section 7, stream <c>lp</c>) through a real mosquitto and a real influxd, read back with InfluxQL.</summary>
[Collection("services")]
public sealed class LineProtocolEndToEndTests(ServicesFixture services)
{
    [Fact]
    public async Task Lines_land_in_their_measurements_with_the_topics_tags_exact_values_and_types_and_refused_lines_are_dead_lettered()
    {
        string db = InfluxServer.NewDatabaseName("lp");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db);
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 60_000;
        const string topic = "fleet/laem-chabang/h2bus/BUS-7/lp";
        var batch = new StringBuilder()
            .Append("# depot gateway LCB-1, one batch\n")
            .Append($"telemetry,vehicle_id=BUS-999,site=elsewhere seq=1042i,speed_kmh=38,Vehicle.TraveledDistance=18234700i,passengers=42i,fc_state=\"run\",door_open=F,fc_stack_temp_c=6.125e1 {ts}\r\n")
            .Append($"telemetry passengers=43u {ts + 1500}\r\n")
            .Append($"events,type=refuel_end h2_kg=3.5,station_id=\"H2-\\\"LCB\\\" 1\" {ts + 2000}\n")
            .Append($"status online=true,fw=\"2.4.1\"\n")
            .Append($"telemetry speed_kmh=999 {ts + 4000}\n")            // out of range: no field left
            .Append($"telemetry h2_mass_kg=30 {ts - 8L * 86_400_000}\n") // older than the window
            .Append($"events n=1i {ts + 5000}\n");                       // no type
        await publisher.PublishAsync(topic, Encoding.UTF8.GetBytes(batch.ToString()));
        // Not line protocol in its second line: nothing of it is written, not even its first line.
        await publisher.PublishAsync(topic, Encoding.UTF8.GetBytes($"telemetry speed_kmh=1 {ts + 9000}\nweather temp_c=31 {ts + 9000}"));
        await gateway.WaitForAckedAsync(2, TimeSpan.FromSeconds(20));

        var telemetry = (await services.Influx.QueryAsync(db, "SELECT * FROM telemetry")).Rows().ToArray();
        Assert.Equal([ts, ts + 1500], telemetry.Select(r => r["time"].GetInt64()));
        var first = telemetry[0];
        Assert.Equal("laem-chabang", first["site"].GetString());
        Assert.Equal("h2bus", first["kind"].GetString());
        Assert.Equal("BUS-7", first["vehicle_id"].GetString());
        Assert.Equal(1042, first["seq"].GetInt64());
        Assert.Equal(38.0, first["speed_kmh"].GetDouble());
        Assert.Equal(18234.7, first["odo_km"].GetDouble());
        Assert.Equal(42, first["passengers"].GetInt64());
        Assert.Equal("run", first["fc_state"].GetString());
        Assert.False(first["door_open"].GetBoolean());
        Assert.Equal(61.25, first["fc_stack_temp_c"].GetDouble());
        Assert.Equal(43, telemetry[1]["passengers"].GetInt64());
        var vehicles = (await services.Influx.QueryAsync(db, "SHOW TAG VALUES FROM telemetry WITH KEY = \"vehicle_id\"")).Rows().Select(r => r["value"].GetString());
        Assert.Equal(["BUS-7"], vehicles);
        var tagKeys = (await services.Influx.QueryAsync(db, "SHOW TAG KEYS FROM telemetry")).Rows().Select(r => r["tagKey"].GetString());
        Assert.Equal(["kind", "site", "vehicle_id"], tagKeys);

        var fieldTypes = (await services.Influx.QueryAsync(db, "SHOW FIELD KEYS FROM telemetry")).Rows()
            .ToDictionary(r => r["fieldKey"].GetString()!, r => r["fieldType"].GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["door_open"] = "boolean", ["fc_stack_temp_c"] = "float", ["fc_state"] = "string", ["odo_km"] = "float",
            ["passengers"] = "integer", ["seq"] = "integer", ["speed_kmh"] = "float",
        }, fieldTypes);

        var events = Assert.Single((await services.Influx.QueryAsync(db, "SELECT * FROM events")).Rows());
        Assert.Equal(ts + 2000, events["time"].GetInt64());
        Assert.Equal("refuel_end", events["type"].GetString());
        Assert.Equal(3.5, events["h2_kg"].GetDouble());
        Assert.Equal("H2-\"LCB\" 1", events["station_id"].GetString());
        var status = Assert.Single((await services.Influx.QueryAsync(db, "SELECT * FROM status")).Rows());
        Assert.True(status["online"].GetBoolean());
        Assert.Equal("2.4.1", status["fw"].GetString());
        Assert.InRange(status["time"].GetInt64(), ts, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()); // the receive time

        var deadLetters = gateway.DeadLetters();
        Assert.Contains(deadLetters, l => l.Contains("\"reason\":\"unknown_key\"") && l.Contains("\"key\":\"vehicle_id\""));
        Assert.Contains(deadLetters, l => l.Contains("\"reason\":\"unknown_key\"") && l.Contains("\"key\":\"site\""));
        Assert.Contains(deadLetters, l => l.Contains("\"reason\":\"no_fields\"") && l.Contains("\"index\":5"));
        Assert.Contains(deadLetters, l => l.Contains("\"reason\":\"ts_out_of_range\"") && l.Contains("\"index\":6"));
        Assert.Contains(deadLetters, l => l.Contains("\"reason\":\"missing_required\"") && l.Contains("\"index\":7"));
        Assert.Contains(deadLetters, l => l.Contains("\"reason\":\"bad_payload\"") && l.Contains("weather"));
        Assert.Equal(6, deadLetters.Length);
    }
}
