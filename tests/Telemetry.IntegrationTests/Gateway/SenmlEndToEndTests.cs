using Senml.TestEncoder;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>SenML packs (wire contract section 6) through a real mosquitto and a real influxd, read back with InfluxQL.</summary>
[Collection("services")]
public sealed class SenmlEndToEndTests(ServicesFixture services)
{
    [Theory]
    [InlineData("senml")]
    [InlineData("senml-cbor")]
    public async Task A_pack_lands_as_one_telemetry_point_per_time_with_exact_values_and_types_and_its_bad_record_is_dead_lettered(string stream)
    {
        string db = InfluxServer.NewDatabaseName(stream.Replace("-", ""));
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db);
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 60_000;
        SenmlRecord[] pack =
        [
            new SenmlRecord().Add("bn", "Vehicle.").Add("bt", ts / 1000.0).Add("n", "Speed").Add("u", "km/h").Add("v", 38.5),
            new SenmlRecord().Add("n", "TraveledDistance").Add("u", "m").Add("v", 18234700L),
            new SenmlRecord().Add("bn", "").Add("n", "seq").Add("v", 1042L),
            new SenmlRecord().Add("n", "passengers").Add("v", 42L),
            new SenmlRecord().Add("n", "fc_state").Add("vs", "run"),
            new SenmlRecord().Add("n", "door_open").Add("vb", false),
            new SenmlRecord().Add("n", "fc_stack_temp_c").Add("u", "Cel").Add("v", 61.25),
            new SenmlRecord().Add("n", "h2_mass_kg").Add("u", "g").Add("v", 30000L),   // not the catalogue's unit: dropped
            new SenmlRecord().Add("n", "passengers").Add("t", 1.5).Add("v", 43L),
        ];
        byte[] payload = stream == "senml" ? SenmlEncoder.Json(pack) : SenmlEncoder.Cbor(pack);
        await publisher.PublishAsync($"fleet/laem-chabang/h2bus/BUS-7/{stream}", payload);
        await publisher.PublishAsync($"fleet/laem-chabang/h2bus/BUS-7/{stream}", [0x5B, 0x7B]); // neither JSON nor CBOR
        await gateway.WaitForAckedAsync(2, TimeSpan.FromSeconds(20));

        var rows = (await services.Influx.QueryAsync(db, "SELECT * FROM telemetry WHERE vehicle_id = 'BUS-7'")).Rows().ToArray();
        Assert.Equal([ts, ts + 1500], rows.Select(r => r["time"].GetInt64()));
        var first = rows[0];
        Assert.Equal("laem-chabang", first["site"].GetString());
        Assert.Equal("h2bus", first["kind"].GetString());
        Assert.Equal(38.5, first["speed_kmh"].GetDouble());
        Assert.Equal(18234.7, first["odo_km"].GetDouble());
        Assert.Equal(1042, first["seq"].GetInt64());
        Assert.Equal(42, first["passengers"].GetInt64());
        Assert.Equal("run", first["fc_state"].GetString());
        Assert.False(first["door_open"].GetBoolean());
        Assert.Equal(61.25, first["fc_stack_temp_c"].GetDouble());
        Assert.False(first.ContainsKey("h2_mass_kg")); // never written: the field did not reach InfluxDB at all
        Assert.Equal(43, rows[1]["passengers"].GetInt64());

        var fieldTypes = (await services.Influx.QueryAsync(db, "SHOW FIELD KEYS FROM telemetry")).Rows()
            .ToDictionary(r => r["fieldKey"].GetString()!, r => r["fieldType"].GetString());
        Assert.Equal("integer", fieldTypes["seq"]);
        Assert.Equal("integer", fieldTypes["passengers"]);
        Assert.Equal("float", fieldTypes["speed_kmh"]);
        Assert.Equal("float", fieldTypes["odo_km"]);
        Assert.Equal("boolean", fieldTypes["door_open"]);
        Assert.Equal("string", fieldTypes["fc_state"]);

        var deadLetters = gateway.DeadLetters();
        Assert.Contains(deadLetters, l => l.Contains("\"reason\":\"field_invalid\"") && l.Contains("\"key\":\"h2_mass_kg\""));
        Assert.Contains(deadLetters, l => l.Contains(stream == "senml" ? "\"reason\":\"bad_json\"" : "\"reason\":\"bad_payload\""));
    }
}
