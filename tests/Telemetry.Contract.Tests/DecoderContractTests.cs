using System.Text;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Validation;

namespace Telemetry.Contract.Tests;

/// <summary>Every rule of the wire contract (sections 2 and 3), one test or more each.</summary>
public class DecoderContractTests
{
    private const string Telemetry = "fleet/amata-chonburi/emoto/EM-000123/telemetry";
    private const string Event = "fleet/amata-chonburi/emoto/EM-000123/event";
    private const string Status = "fleet/amata-chonburi/emoto/EM-000123/status";
    private const string Forklift = "fleet/map-ta-phut/h2forklift/FL-07/telemetry";
    private const long Now = TestCatalogue.Now;
    private const string Tags = "kind=emoto,site=amata-chonburi,vehicle_id=EM-000123";

    private static ValidationResult Decode(string topic, string json, bool retained = false, DecoderOptions? options = null) =>
        ContractValidator.Validate(TestCatalogue.Shipped, topic, Encoding.UTF8.GetBytes(json), Now, retained, options);

    private static ValidationResult Decode(string topic, byte[] payload) =>
        ContractValidator.Validate(TestCatalogue.Shipped, topic, payload, Now);

    private static string Single(ValidationResult r)
    {
        Assert.Empty(r.Rejections);
        return Assert.Single(r.Lines);
    }

    [Fact]
    public void The_contract_example_becomes_the_contract_line()
    {
        var r = Decode(Telemetry, """
            {"ts":1795593600123,"seq":1042,"speed_kmh":38.5,"lat":13.7563,"lon":100.5018,
             "soc_pct":76.2,"batt_v":72.4,"batt_a":-18.3,"batt_temp_c":34.1,"ignition":true}
            """);
        Assert.Equal($"telemetry,{Tags} seq=1042i,speed_kmh=38.5,lat=13.7563,lon=100.5018,soc_pct=76.2,batt_v=72.4,batt_a=-18.3,batt_temp_c=34.1,ignition=true 1795593600123",
            Single(r));
    }

    [Fact]
    public void Event_type_is_a_tag_in_sorted_position()
    {
        var r = Decode(Event, """{"ts":1795593660000,"type":"battery_swap","battery_id":"BP-88812","station_id":"SW-BKK-031","soc_pct":96.0}""");
        Assert.Equal("events,kind=emoto,site=amata-chonburi,type=battery_swap,vehicle_id=EM-000123 battery_id=\"BP-88812\",station_id=\"SW-BKK-031\",soc_pct=96.0 1795593660000",
            Single(r));
    }

    [Fact]
    public void Event_type_after_the_fields_still_lands_as_a_tag()
    {
        var r = Decode(Event, """{"soc_pct":96,"ts":1795593660000,"type":"trip_end"}""");
        Assert.Equal($"events,kind=emoto,site=amata-chonburi,type=trip_end,vehicle_id=EM-000123 soc_pct=96 1795593660000", Single(r));
    }

    [Fact]
    public void Event_without_fields_writes_n_1i()
    {
        Assert.Equal("events,kind=emoto,site=amata-chonburi,type=trip_start,vehicle_id=EM-000123 n=1i 1795593600000",
            Single(Decode(Event, """{"ts":1795593600000,"type":"trip_start"}""")));
    }

    [Fact]
    public void All_event_fields_with_their_types()
    {
        var line = Single(Decode(Event, """
            {"ts":1795593600000,"type":"fault","battery_id":"B1","station_id":"S1","soc_pct":5,"odo_km":12.5,"h2_kg":0.6,
             "h2_pressure_mpa":35,"energy_kwh":1.25,"code":-17,"message":"over-temp \"stack\""}
            """));
        Assert.Equal("events,kind=emoto,site=amata-chonburi,type=fault,vehicle_id=EM-000123 battery_id=\"B1\",station_id=\"S1\",soc_pct=5,odo_km=12.5,h2_kg=0.6,h2_pressure_mpa=35,energy_kwh=1.25,code=-17i,message=\"over-temp \\\"stack\\\"\" 1795593600000", line);
    }

    [Theory]
    [InlineData("""{"ts":1795593600000}""")]
    [InlineData("""{"ts":1795593600000,"type":"teleport"}""")]
    [InlineData("""{"ts":1795593600000,"type":7}""")]
    [InlineData("""{"ts":1795593600000,"type":null,"soc_pct":3}""")]
    public void Event_without_a_valid_type_is_rejected(string json)
    {
        var r = Decode(Event, json);
        Assert.Empty(r.Lines);
        Assert.Equal(["missing_required"], r.Rejections);
    }

    [Fact]
    public void Status_fields_and_required_online()
    {
        Assert.Equal($"status,{Tags} online=true,fw=\"2.4.1\",rssi_dbm=-71 1795593600000",
            Single(Decode(Status, """{"ts":1795593600000,"online":true,"fw":"2.4.1","rssi_dbm":-71}""")));
        var missing = Decode(Status, """{"ts":1795593600000,"fw":"2.4.1"}""");
        Assert.Empty(missing.Lines);
        Assert.Equal(["missing_required"], missing.Rejections);
    }

    [Fact]
    public void Last_will_without_ts_uses_receive_time()
    {
        var r = Decode(Status, """{"online":false}""");
        Assert.Equal($"status,{Tags} online=false {Now}", Single(r));
        Assert.Equal(1, r.Outcome.ReceiveTimeUsed);
    }

    [Fact]
    public void Retained_replay_without_ts_is_not_written()
    {
        var r = Decode(Status, """{"online":false}""", retained: true);
        Assert.Empty(r.Lines);
        Assert.Equal(["retained_without_ts"], r.Rejections);
        Assert.Single(Decode(Status, """{"online":true,"ts":1795593600000}""", retained: true).Lines);
    }

    [Fact]
    public void Array_payload_makes_one_point_per_object()
    {
        var r = Decode(Telemetry, """[{"ts":1795593600000,"speed_kmh":1},{"ts":1795593601000,"speed_kmh":2},{"ts":1795593602000,"speed_kmh":3}]""");
        Assert.Empty(r.Rejections);
        Assert.Equal([
            $"telemetry,{Tags} speed_kmh=1 1795593600000",
            $"telemetry,{Tags} speed_kmh=2 1795593601000",
            $"telemetry,{Tags} speed_kmh=3 1795593602000"], r.Lines);
    }

    [Fact]
    public void A_rejected_object_in_an_array_does_not_affect_its_neighbours()
    {
        var r = Decode(Telemetry, """[{"ts":1795593600000,"speed_kmh":1},{"ts":1,"speed_kmh":2},{"ts":1795593602000,"speed_kmh":3}]""");
        Assert.Equal(2, r.Lines.Count);
        Assert.Equal(["ts_out_of_range"], r.Rejections);
        Assert.Equal(1, r.Outcome.ObjectsRejected);
    }

    [Fact]
    public void Ts_as_rfc3339_with_offset()
    {
        Assert.Equal($"telemetry,{Tags} speed_kmh=1 1795593600123",
            Single(Decode(Telemetry, """{"ts":"2026-11-25T15:00:00.123+07:00","speed_kmh":1}""")));
    }

    [Theory]
    [InlineData("\"2026-11-25T15:00:00.123\"")]
    [InlineData("\"yesterday\"")]
    [InlineData("1795593600000.5")]
    [InlineData("true")]
    [InlineData("{\"ms\":1}")]
    public void Ts_that_is_not_a_time_rejects_the_object(string ts)
    {
        var r = Decode(Telemetry, $$"""{"ts":{{ts}},"speed_kmh":1}""");
        Assert.Empty(r.Lines);
        Assert.Equal(["ts_invalid"], r.Rejections);
    }

    [Theory]
    [InlineData(-7 * 24 * 3600_000L - 1)]
    [InlineData(5 * 60_000L + 1)]
    public void Ts_outside_the_window_is_rejected(long offsetMs)
    {
        var r = Decode(Telemetry, $$"""{"ts":{{Now + offsetMs}},"speed_kmh":1}""");
        Assert.Empty(r.Lines);
        Assert.Equal(["ts_out_of_range"], r.Rejections);
    }

    [Theory]
    [InlineData(-7 * 24 * 3600_000L)]
    [InlineData(5 * 60_000L)]
    public void Ts_window_edges_are_inclusive(long offsetMs)
    {
        Assert.Single(Decode(Telemetry, $$"""{"ts":{{Now + offsetMs}},"speed_kmh":1}""").Lines);
    }

    [Fact]
    public void Ts_window_is_configurable()
    {
        var options = new DecoderOptions { MaxAge = TimeSpan.FromDays(400) };
        Assert.Single(Decode(Telemetry, $$"""{"ts":{{Now - 300L * 24 * 3600_000}},"speed_kmh":1}""", options: options).Lines);
    }

    [Fact]
    public void Missing_ts_uses_receive_time_and_is_counted()
    {
        var r = Decode(Telemetry, """{"speed_kmh":1}""");
        Assert.Equal($"telemetry,{Tags} speed_kmh=1 {Now}", Single(r));
        Assert.Equal(1, r.Outcome.ReceiveTimeUsed);
    }

    [Theory]
    [InlineData("0", "seq=0i")]
    [InlineData("4294967295", "seq=4294967295i")]
    [InlineData("12.0", "seq=12i")]
    public void Seq_is_an_unsigned_32_bit_integer_field(string seq, string field)
    {
        Assert.Equal($"telemetry,{Tags} {field},speed_kmh=1 1795593600000",
            Single(Decode(Telemetry, $$"""{"ts":1795593600000,"seq":{{seq}},"speed_kmh":1}""")));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("4294967296")]
    [InlineData("1.5")]
    [InlineData("\"7\"")]
    public void Seq_out_of_range_drops_the_field(string seq)
    {
        var r = Decode(Telemetry, $$"""{"ts":1795593600000,"seq":{{seq}},"speed_kmh":1}""");
        Assert.Equal([$"telemetry,{Tags} speed_kmh=1 1795593600000"], r.Lines);
        Assert.Equal(["field_invalid"], r.Rejections);
    }

    [Fact]
    public void Vss_paths_are_the_same_signals()
    {
        var line = Single(Decode(Telemetry, """
            {"ts":1795593600000,"Vehicle.Speed":38.5,"Vehicle.CurrentLocation.Latitude":13.75,
             "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current":76.2,"Vehicle.LowVoltageSystemState":"ON",
             "Vehicle.TraveledDistance":12345678}
            """));
        Assert.Equal($"telemetry,{Tags} speed_kmh=38.5,lat=13.75,soc_pct=76.2,ignition=true,odo_km=12345.678 1795593600000", line);
    }

    [Fact]
    public void Vss_low_voltage_state_maps_to_ignition()
    {
        Assert.EndsWith("ignition=false 1795593600000", Single(Decode(Telemetry, """{"ts":1795593600000,"Vehicle.LowVoltageSystemState":"OFF"}""")));
        var r = Decode(Telemetry, """{"ts":1795593600000,"Vehicle.LowVoltageSystemState":"MAYBE","speed_kmh":1}""");
        Assert.Equal(["field_invalid"], r.Rejections);
        // the short key takes a JSON bool only
        Assert.Equal(["field_invalid"], Decode(Telemetry, """{"ts":1795593600000,"ignition":"ON","speed_kmh":1}""").Rejections);
    }

    [Fact]
    public void Key_and_vss_path_of_one_signal_in_one_object_is_a_duplicate()
    {
        var r = Decode(Telemetry, """{"ts":1795593600000,"speed_kmh":38.5,"Vehicle.Speed":38.5}""");
        Assert.Empty(r.Lines);
        Assert.Equal(["duplicate_field"], r.Rejections);
    }

    [Theory]
    [InlineData("""{"ts":1795593600000,"speed_kmh":1,"speed_kmh":2}""")]
    [InlineData("""{"ts":1795593600000,"ts":1795593600001,"speed_kmh":1}""")]
    [InlineData("""{"ts":1795593600000,"seq":1,"seq":2,"speed_kmh":1}""")]
    [InlineData("""{"ts":1795593600000,"speed_kmh":1,"speed_kmh":"bad"}""")]
    public void Same_field_twice_rejects_the_object(string json)
    {
        var r = Decode(Telemetry, json);
        Assert.Empty(r.Lines);
        Assert.Equal(["duplicate_field"], r.Rejections);
    }

    [Fact]
    public void Event_type_twice_is_a_duplicate()
    {
        Assert.Equal(["duplicate_field"], Decode(Event, """{"ts":1795593600000,"type":"trip_start","type":"trip_end"}""").Rejections);
    }

    [Theory]
    [InlineData("\"speed_kmh\":\"38.5\"")]
    [InlineData("\"speed_kmh\":true")]
    [InlineData("\"speed_kmh\":[1]")]
    [InlineData("\"speed_kmh\":{\"v\":1}")]
    [InlineData("\"speed_kmh\":-0.1")]
    [InlineData("\"speed_kmh\":250.0001")]
    [InlineData("\"speed_kmh\":1e400")]
    [InlineData("\"ignition\":1")]
    [InlineData("\"battery_id\":42")]
    [InlineData("\"battery_id\":\"0123456789012345678901234567890123456789012345678901234567890123x\"")]
    [InlineData("\"battery_id\":\"line\\nbreak\"")]
    [InlineData("\"battery_id\":\"tab\\there\"")]
    [InlineData("\"battery_id\":\"del\\u007fhere\"")]
    [InlineData("\"battery_id\":\"c1\\u0080here\"")]
    [InlineData("\"battery_id\":\"c1\\u009fhere\"")]
    [InlineData("\"battery_id\":\"raw c1 \u0085 here\"")]
    [InlineData("\"lean_deg\":-70.5")]
    public void Wrong_type_or_out_of_range_drops_the_field(string field)
    {
        var r = Decode(Telemetry, $$"""{"ts":1795593600000,"soc_pct":50,{{field}}}""");
        Assert.Equal([$"telemetry,{Tags} soc_pct=50 1795593600000"], r.Lines);
        Assert.Equal(["field_invalid"], r.Rejections);
    }

    [Theory]
    [InlineData("\"speed_kmh\":0", "speed_kmh=0")]
    [InlineData("\"speed_kmh\":250", "speed_kmh=250")]
    [InlineData("\"speed_kmh\":-0", "speed_kmh=-0")]
    [InlineData("\"batt_a\":-3000", "batt_a=-3000")]
    [InlineData("\"speed_kmh\":1.5E1", "speed_kmh=15")]
    [InlineData("\"speed_kmh\":1e-5", "speed_kmh=0.00001")]
    [InlineData("\"speed_kmh\":38", "speed_kmh=38")]
    [InlineData("\"battery_id\":\"0123456789012345678901234567890123456789012345678901234567890123\"", "battery_id=\"0123456789012345678901234567890123456789012345678901234567890123\"")]
    [InlineData("\"battery_id\":\"แบต-๑\"", "battery_id=\"แบต-๑\"")]
    [InlineData("\"battery_id\":\"\\u0042P-1\"", "battery_id=\"BP-1\"")]
    [InlineData("\"battery_id\":\"\\u00a0BP\"", "battery_id=\"\u00a0BP\"")]
    [InlineData("\"battery_id\":\"a\\\"b\\\\c\"", "battery_id=\"a\\\"b\\\\c\"")]
    [InlineData("\"side_stand\":false", "side_stand=false")]
    public void Values_at_the_edges_are_written_exactly(string field, string expected)
    {
        Assert.Equal($"telemetry,{Tags} {expected} 1795593600000", Single(Decode(Telemetry, $$"""{"ts":1795593600000,{{field}}}""")));
    }

    [Fact]
    public void Int_signals_are_written_with_i_and_floats_never_are()
    {
        Assert.Equal("telemetry,kind=h2bus,site=bkk,vehicle_id=BUS-1 passengers=42i,h2_mass_kg=30 1795593600000",
            Single(Decode("fleet/bkk/h2bus/BUS-1/telemetry", """{"ts":1795593600000,"passengers":42,"h2_mass_kg":30}""")));
        Assert.Equal(["field_invalid"], Decode("fleet/bkk/h2bus/BUS-1/telemetry", """{"ts":1795593600000,"passengers":4.5,"h2_mass_kg":30}""").Rejections);
        Assert.Equal(["field_invalid"], Decode("fleet/bkk/h2bus/BUS-1/telemetry", """{"ts":1795593600000,"passengers":251,"h2_mass_kg":30}""").Rejections);
    }

    [Theory]
    [InlineData("run", true)]
    [InlineData("off", true)]
    [InlineData("RUN", false)]
    [InlineData("idle", false)]
    public void Fc_state_takes_only_its_values(string state, bool accepted)
    {
        var r = Decode(Forklift, $$"""{"ts":1795593600000,"fc_state":"{{state}}","load_kg":500}""");
        Assert.Single(r.Lines);
        Assert.Equal(accepted, r.Lines[0].Contains($"fc_state=\"{state}\""));
        Assert.Equal(accepted ? [] : ["field_invalid"], r.Rejections);
    }

    [Fact]
    public void Null_means_absent()
    {
        var r = Decode(Telemetry, """{"ts":1795593600000,"speed_kmh":null,"soc_pct":5,"seq":null}""");
        Assert.Equal($"telemetry,{Tags} soc_pct=5 1795593600000", Single(r));
        Assert.Equal($"telemetry,{Tags} soc_pct=5 {Now}", Single(Decode(Telemetry, """{"ts":null,"soc_pct":5}""")));
    }

    [Fact]
    public void Unknown_keys_are_dropped_and_counted_and_nested_values_skipped()
    {
        var r = Decode(Telemetry, """{"ts":1795593600000,"x":{"a":[1,2,{"b":3}]},"soc_pct":5,"y":[1,[2]],"z":"s"}""");
        Assert.Equal([$"telemetry,{Tags} soc_pct=5 1795593600000"], r.Lines);
        Assert.Equal(["unknown_key", "unknown_key", "unknown_key"], r.Rejections);
    }

    [Fact]
    public void A_signal_of_another_kind_is_an_unknown_key()
    {
        var r = Decode(Telemetry, """{"ts":1795593600000,"lift_height_m":2,"soc_pct":5}""");
        Assert.Equal(["unknown_key"], r.Rejections);
        Assert.Single(r.Lines);
    }

    [Theory]
    [InlineData("""{"ts":1795593600000}""")]
    [InlineData("""{}""")]
    [InlineData("""{"ts":1795593600000,"speed_kmh":999}""")]
    [InlineData("""{"ts":1795593600000,"nope":1}""")]
    public void No_valid_field_rejects_the_object(string json)
    {
        var r = Decode(Telemetry, json);
        Assert.Empty(r.Lines);
        Assert.Equal(["no_fields"], r.Rejections);
    }

    [Fact]
    public void Seq_alone_is_a_valid_field()
    {
        var r = Decode(Telemetry, """{"ts":1795593600000,"seq":5,"speed_kmh":999}""");
        Assert.Equal([$"telemetry,{Tags} seq=5i 1795593600000"], r.Lines);
        Assert.Equal(["field_invalid"], r.Rejections);
    }

    [Theory]
    [InlineData("""{"ts":1795593600000,"speed_kmh":1""")]
    [InlineData("""{"ts":1795593600000,"speed_kmh":1}x""")]
    [InlineData("""{"ts":1795593600000,"speed_kmh":1}{"speed_kmh":2}""")]
    [InlineData("""[{"ts":1795593600000,"speed_kmh":1},{"speed_kmh":2}""")]
    [InlineData("""[{"ts":1795593600000,"speed_kmh":1},{"speed_kmh":NaN}]""")]
    [InlineData("""{"speed_kmh":Infinity}""")]
    [InlineData("""{"speed_kmh":1,}""")]
    [InlineData("""{'speed_kmh':1}""")]
    [InlineData("""{"speed_kmh":1 /* c */}""")]
    [InlineData("""42""")]
    [InlineData("\"text\"")]
    [InlineData("""null""")]
    [InlineData("""[1,2]""")]
    [InlineData("""[{"speed_kmh":1},3]""")]
    [InlineData("""[[{"speed_kmh":1}]]""")]
    [InlineData("")]
    [InlineData("   ")]
    public void Invalid_json_rejects_the_whole_message(string json)
    {
        var r = Decode(Telemetry, json);
        Assert.Empty(r.Lines);
        Assert.Equal(["bad_json"], r.Rejections);
    }

    [Fact]
    public void A_bad_json_payload_reports_nothing_it_read_before_the_error()
    {
        var r = Decode(Telemetry, """[{"ts":1795593600000,"speed_kmh":1,"nope":2},{"speed_kmh":999},{"speed_kmh":""");
        Assert.Equal(["bad_json"], r.Rejections);
        Assert.Empty(r.Lines);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_bad_json()
    {
        var deep = "{\"x\":" + new string('[', 5000) + new string(']', 5000) + ",\"speed_kmh\":1}";
        Assert.Equal(["bad_json"], Decode(Telemetry, deep).Rejections);
        var fine = "{\"x\":" + new string('[', 20) + new string(']', 20) + ",\"speed_kmh\":1}";
        Assert.Equal(["unknown_key"], Decode(Telemetry, fine).Rejections);
    }

    [Fact]
    public void Invalid_utf8_is_bad_json()
    {
        var payload = Encoding.UTF8.GetBytes("""{"battery_id":"AB","speed_kmh":1}""");
        payload[15] = 0xC3; // a lead byte followed by 'B'
        Assert.Equal(["bad_json"], Decode(Telemetry, payload).Rejections);
        Assert.Equal(["bad_json"], Decode(Telemetry, [0xFF, 0xFE, (byte)'{', (byte)'}']).Rejections);
    }

    [Fact]
    public void A_utf8_bom_is_ignored()
    {
        byte[] payload = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"ts":1795593600000,"speed_kmh":1}""")];
        Assert.Single(Decode(Telemetry, payload).Lines);
    }

    [Fact]
    public void Too_large_is_rejected_whole_and_the_limit_is_configurable()
    {
        var big = "{\"ts\":1795593600000,\"speed_kmh\":1,\"pad\":\"" + new string('x', 300 * 1024) + "\"}";
        Assert.Equal(["too_large"], Decode(Telemetry, big).Rejections);
        var small = new DecoderOptions { MaxPayloadBytes = 32 };
        Assert.Equal(["too_large"], Decode(Telemetry, """{"ts":1795593600000,"speed_kmh":1}""", options: small).Rejections);
    }

    [Fact]
    public void Bad_topic_rejects_whole()
    {
        var r = Decode("fleet/bkk/emoto/EM 1/telemetry", """{"speed_kmh":1}""");
        Assert.Empty(r.Lines);
        Assert.Equal(["bad_topic"], r.Rejections);
    }

    [Fact]
    public void Escaped_keys_match_the_catalogue()
    {
        Assert.Equal($"telemetry,{Tags} speed_kmh=7 1795593600000",
            Single(Decode(Telemetry, """{"ts":1795593600000,"speed\u005fkmh":7}""")));
    }

    [Fact]
    public void Field_order_follows_the_payload_and_tags_are_sorted()
    {
        var line = Single(Decode(Forklift, """{"load_kg":1,"ts":1795593600000,"fc_state":"run","h2_mass_kg":0.5}"""));
        Assert.Equal("telemetry,kind=h2forklift,site=map-ta-phut,vehicle_id=FL-07 load_kg=1,fc_state=\"run\",h2_mass_kg=0.5 1795593600000", line);
    }

    [Fact]
    public void A_lone_surrogate_escape_drops_the_field_or_the_key()
    {
        var value = Decode(Telemetry, """{"ts":1795593600000,"battery_id":"\ud800","speed_kmh":1}""");
        Assert.Equal([$"telemetry,{Tags} speed_kmh=1 1795593600000"], value.Lines);
        Assert.Equal(["field_invalid"], value.Rejections);
        var key = Decode(Telemetry, """{"ts":1795593600000,"\udc00x":1,"speed_kmh":1}""");
        Assert.Equal([$"telemetry,{Tags} speed_kmh=1 1795593600000"], key.Lines);
        Assert.Equal(["unknown_key"], key.Rejections);
        Assert.Equal(["ts_invalid"], Decode(Telemetry, """{"ts":"\ud800","speed_kmh":1}""").Rejections);
    }
}
