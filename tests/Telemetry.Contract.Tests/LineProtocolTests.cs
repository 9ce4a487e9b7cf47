using System.Text;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Validation;

namespace Telemetry.Contract.Tests;

/// <summary>
/// Wire contract section 7: InfluxDB line protocol on stream <c>lp</c>, read by InfluxDB's documented syntax, checked
/// against the catalogue exactly as JSON values are, and written again by the gateway with the topic's tags.
/// </summary>
public class LineProtocolTests
{
    private const string Topic = "fleet/amata-chonburi/emoto/EM-000123/lp";
    private const string Tags = "kind=emoto,site=amata-chonburi,vehicle_id=EM-000123";
    private const long Now = TestCatalogue.Now;

    private static ValidationResult Decode(string lines, bool retained = false, string topic = Topic) =>
        ContractValidator.Validate(TestCatalogue.Shipped, topic, Encoding.UTF8.GetBytes(lines), Now, retained);

    private static string Single(ValidationResult r)
    {
        Assert.Empty(r.Rejections);
        return Assert.Single(r.Lines);
    }

    /// <summary>What the sink is told, with the point's index (its line) and the key as sent.</summary>
    private static List<string> Findings(string lines, string? contentType = null)
    {
        var decoder = new PayloadDecoder(TestCatalogue.Shipped);
        using var output = new LineBuffer(1024);
        var sink = new RecordingSink { Log = [] };
        decoder.Decode(Topic, Encoding.UTF8.GetBytes(lines), false, Now, output, ref sink, contentType);
        return sink.Log;
    }

    private struct RecordingSink : IDecodeSink
    {
        public List<string> Log;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Log.Add($"point {objectIndex} {timestampMs}");
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) =>
            Log.Add($"{reason.Name()} {objectIndex} {Encoding.UTF8.GetString(key)}".TrimEnd());
    }

    [Fact]
    public void The_contract_example_sent_as_line_protocol_becomes_the_contract_line()
    {
        var r = Decode("telemetry seq=1042i,speed_kmh=38.5,lat=13.7563,lon=100.5018,soc_pct=76.2,batt_v=72.4,batt_a=-18.3,batt_temp_c=34.1,ignition=true 1795593600123");
        Assert.Equal($"telemetry,{Tags} seq=1042i,speed_kmh=38.5,lat=13.7563,lon=100.5018,soc_pct=76.2,batt_v=72.4,batt_a=-18.3,batt_temp_c=34.1,ignition=true 1795593600123",
            Single(r));
    }

    [Fact]
    public void Each_line_is_a_point_split_by_lf_or_crlf_with_blank_and_comment_lines_skipped()
    {
        var lines = "# a gateway's header\r\ntelemetry speed_kmh=1 1795593600001\r\n\n   \ntelemetry speed_kmh=2 1795593600002\n  # indented comment\n\ttelemetry speed_kmh=3 1795593600003\n";
        Assert.Equal([
            $"telemetry,{Tags} speed_kmh=1 1795593600001",
            $"telemetry,{Tags} speed_kmh=2 1795593600002",
            $"telemetry,{Tags} speed_kmh=3 1795593600003",
        ], Decode(lines).Lines);
        // Indexes are line numbers in the payload (from 0), comments and blank lines counted.
        Assert.Equal(["point 1 1795593600001", "point 4 1795593600002", "point 6 1795593600003"], Findings(lines));
    }

    [Fact]
    public void The_three_measurements_events_with_their_type_tag_and_status()
    {
        var r = Decode("""
            events,type=battery_swap battery_id="BP-88812",station_id="SW-BKK-031",soc_pct=96 1795593660000
            status online=true,fw="2.4.1",rssi_dbm=-71i 1795593600000
            telemetry speed_kmh=38 1795593600000
            """);
        Assert.Empty(r.Rejections);
        Assert.Equal([
            "events,kind=emoto,site=amata-chonburi,type=battery_swap,vehicle_id=EM-000123 battery_id=\"BP-88812\",station_id=\"SW-BKK-031\",soc_pct=96 1795593660000",
            $"status,{Tags} online=true,fw=\"2.4.1\",rssi_dbm=-71 1795593600000",
            $"telemetry,{Tags} speed_kmh=38 1795593600000",
        ], r.Lines);
    }

    [Fact]
    public void An_event_may_name_its_type_as_a_field_and_n_1i_alone_is_the_contracts_event_without_fields()
    {
        Assert.Equal("events,kind=emoto,site=amata-chonburi,type=trip_end,vehicle_id=EM-000123 soc_pct=5 1795593600000",
            Single(Decode("events soc_pct=5,type=\"trip_end\" 1795593600000")));
        Assert.Equal("events,kind=emoto,site=amata-chonburi,type=trip_start,vehicle_id=EM-000123 n=1i 1795593600000",
            Single(Decode("events,type=trip_start n=1i 1795593600000")));
        Assert.Equal("events,kind=emoto,site=amata-chonburi,type=trip_start,vehicle_id=EM-000123 odo_km=12.5 1795593600000",
            Single(Decode("events,type=trip_start n=1i,odo_km=12.5 1795593600000")));
        // n is no event field otherwise, and a telemetry n is just an unknown key.
        Assert.Equal(["unknown_key 0 n", "point 0 1795593600000"], Findings("events,type=trip_start n=2i,odo_km=1 1795593600000"));
        Assert.Equal(["no_fields 0"], Findings("telemetry n=1i 1795593600000"));
    }

    [Fact]
    public void Tags_from_the_topic_win_and_every_other_tag_is_refused_as_unknown_key()
    {
        var r = Decode("telemetry,vehicle_id=EM-999,site=elsewhere,kind=h2bus,driver=somchai speed_kmh=10 1795593600000");
        Assert.Equal([$"telemetry,{Tags} speed_kmh=10 1795593600000"], r.Lines);
        Assert.Equal(["unknown_key 0 vehicle_id", "unknown_key 0 site", "unknown_key 0 kind", "unknown_key 0 driver", "point 0 1795593600000"],
            Findings("telemetry,vehicle_id=EM-999,site=elsewhere,kind=h2bus,driver=somchai speed_kmh=10 1795593600000"));
        // type is a tag of events only.
        Assert.Equal(["unknown_key 0 type", "point 0 1795593600000"], Findings("telemetry,type=fault speed_kmh=10 1795593600000"));
        Assert.Equal(["unknown_key 0 station", "point 0 1795593600000"], Findings("events,type=fault,station=x code=3i 1795593600000"));
    }

    [Fact]
    public void An_event_type_must_be_one_of_the_catalogue_once()
    {
        Assert.Equal(["missing_required"], Decode("events,type=teleport soc_pct=5 1795593600000").Rejections);
        Assert.Equal(["missing_required"], Decode("events soc_pct=5 1795593600000").Rejections);
        Assert.Equal(["duplicate_field"], Decode("events,type=fault,type=fault code=1i 1795593600000").Rejections);
        Assert.Equal(["duplicate_field"], Decode("events,type=fault code=1i,type=\"fault\" 1795593600000").Rejections);
    }

    [Fact]
    public void Floats_in_every_form_influxdb_reads_are_written_in_plain_decimal()
    {
        var r = Decode("telemetry speed_kmh=38,lat=-1.5,lon=1e1,heading_deg=1.5E+2,alt_m=.5,odo_km=5.,soc_pct=05,batt_v=7.2e-4,batt_a=-0 1795593600000");
        Assert.Equal($"telemetry,{Tags} speed_kmh=38,lat=-1.5,lon=10,heading_deg=150,alt_m=0.5,odo_km=5,soc_pct=5,batt_v=0.00072,batt_a=-0 1795593600000", Single(r));
    }

    [Fact]
    public void Integers_and_unsigned_integers_go_to_any_number_signal_and_keep_the_signals_type()
    {
        var bus = "fleet/bkk/h2bus/BUS-7/lp";
        // An integer to a float signal is written as a float; a float that is a whole number to an integer signal as an integer.
        Assert.Equal("telemetry,kind=h2bus,site=bkk,vehicle_id=BUS-7 passengers=42i,speed_kmh=38,seq=7i,h2_mass_kg=3 1795593600000",
            Single(Decode("telemetry passengers=42i,speed_kmh=38i,seq=7u,h2_mass_kg=3u 1795593600000", topic: bus)));
        Assert.Equal("telemetry,kind=h2bus,site=bkk,vehicle_id=BUS-7 passengers=42i 1795593600000",
            Single(Decode("telemetry passengers=42.0 1795593600000", topic: bus)));
        Assert.Equal(["field_invalid", "field_invalid", "field_invalid"],
            Decode("telemetry passengers=42.5,speed_kmh=99999999999999999999i,seq=18446744073709551615u,lat=13.7 1795593600000", topic: bus).Rejections);
    }

    [Fact]
    public void Booleans_in_all_ten_spellings_and_strings_with_their_escapes()
    {
        foreach (var (text, value) in new[] { ("t", "true"), ("T", "true"), ("true", "true"), ("True", "true"), ("TRUE", "true"),
                     ("f", "false"), ("F", "false"), ("false", "false"), ("False", "false"), ("FALSE", "false") })
            Assert.Equal($"telemetry,{Tags} ignition={value} 1795593600000", Single(Decode($"telemetry ignition={text} 1795593600000")));

        Assert.Equal("events,kind=emoto,site=amata-chonburi,type=fault,vehicle_id=EM-000123 message=\"say \\\"hi\\\", a\\\\b, c\\\\d =x\" 1795593600000",
            Single(Decode("""events,type=fault message="say \"hi\", a\\b, c\d =x" 1795593600000""")));
    }

    [Fact]
    public void Values_are_checked_like_json_values()
    {
        var r = Decode("telemetry speed_kmh=999,lat=\"north\",ignition=1i,battery_id=5i,lift_height_m=1,soc_pct=55.5,lean_deg=t 1795593600000");
        Assert.Equal([$"telemetry,{Tags} soc_pct=55.5 1795593600000"], r.Lines);
        Assert.Equal(["field_invalid 0 speed_kmh", "field_invalid 0 lat", "field_invalid 0 ignition", "field_invalid 0 battery_id",
            "unknown_key 0 lift_height_m", "field_invalid 0 lean_deg", "point 0 1795593600000"],
            Findings("telemetry speed_kmh=999,lat=\"north\",ignition=1i,battery_id=5i,lift_height_m=1,soc_pct=55.5,lean_deg=t 1795593600000"));
        Assert.Equal(["field_invalid", "field_invalid"], Decode("telemetry battery_id=\"" + new string('x', 65) + "\",speed_kmh=1e999,lat=1 1795593600000").Rejections);
    }

    [Fact]
    public void Vss_paths_are_keys_too_and_the_same_field_twice_rejects_the_line()
    {
        Assert.Equal($"telemetry,{Tags} speed_kmh=38.5,odo_km=18234.7 1795593600000",
            Single(Decode("telemetry Vehicle.Speed=38.5,Vehicle.TraveledDistance=18234700i 1795593600000")));
        Assert.Equal(["duplicate_field"], Decode("telemetry speed_kmh=1,Vehicle.Speed=2 1795593600000").Rejections);
        Assert.Equal(["duplicate_field"], Decode("telemetry speed_kmh=1,speed_kmh=1 1795593600000").Rejections);
    }

    [Fact]
    public void Without_a_timestamp_the_receive_time_is_used_and_a_retained_message_is_not_written()
    {
        var r = Decode("status online=false\ntelemetry speed_kmh=1");
        Assert.Equal([$"status,{Tags} online=false {Now}", $"telemetry,{Tags} speed_kmh=1 {Now}"], r.Lines);
        Assert.Equal(2, r.Outcome.ReceiveTimeUsed);
        Assert.Equal(["retained_without_ts"], Decode("status online=false", retained: true).Rejections);
        Assert.Equal($"status,{Tags} online=true 1795593600000", Single(Decode("status online=true 1795593600000", retained: true)));
    }

    [Theory]
    [InlineData("1795593600000000000", "ts_out_of_range")]   // nanoseconds: InfluxDB's default, not the contract's
    [InlineData("1795593600", "ts_out_of_range")]            // seconds
    [InlineData("1795593600.5", "ts_invalid")]
    [InlineData("99999999999999999999", "ts_invalid")]
    [InlineData("2026-11-25T08:00:00Z", "ts_invalid")]
    public void Timestamps_are_epoch_milliseconds_in_the_window(string ts, string reason) =>
        Assert.Equal([reason], Decode($"telemetry speed_kmh=1 {ts}").Rejections);

    [Fact]
    public void Line_rules_apply_to_each_line_and_its_neighbours_are_written()
    {
        var lines = "telemetry speed_kmh=1 1790000000000\nstatus fw=\"1\" 1795593600000\ntelemetry nope=1 1795593600000\ntelemetry lat=1 1795593600000";
        Assert.Equal([$"telemetry,{Tags} lat=1 1795593600000"], Decode(lines).Lines);
        Assert.Equal(["ts_out_of_range 0", "missing_required 1", "no_fields 2", "point 3 1795593600000"], Findings(lines));
    }

    [Theory]
    [InlineData("telemetry")]                                  // no fields
    [InlineData("telemetry ")]
    [InlineData("telemetry speed_kmh=")]
    [InlineData("telemetry =1")]
    [InlineData("telemetry speed_kmh")]
    [InlineData("telemetry  speed_kmh=1")]                     // two spaces
    [InlineData("telemetry speed_kmh=1 ")]                     // trailing space
    [InlineData("telemetry speed_kmh=1 1795593600000 5")]
    [InlineData("telemetry,vehicle_id speed_kmh=1")]
    [InlineData("telemetry,vehicle_id= speed_kmh=1")]          // empty tag value
    [InlineData("telemetry,=x speed_kmh=1")]
    [InlineData("telemetry,a=b=c speed_kmh=1")]                // '=' in a tag value must be escaped
    [InlineData(",a=b speed_kmh=1")]
    [InlineData("weather temp=1")]                             // not a measurement of the contract
    [InlineData("Telemetry speed_kmh=1")]
    [InlineData("tele\\ metry speed_kmh=1")]
    [InlineData("telemetry speed_kmh=NaN")]
    [InlineData("telemetry speed_kmh=inf")]
    [InlineData("telemetry speed_kmh=-")]
    [InlineData("telemetry speed_kmh=1.2.3")]
    [InlineData("telemetry speed_kmh=0x10")]
    [InlineData("telemetry speed_kmh=+1")]
    [InlineData("telemetry speed_kmh=1i2")]
    [InlineData("telemetry speed_kmh=1.5i")]
    [InlineData("telemetry speed_kmh=-1u")]
    [InlineData("telemetry speed_kmh=1e")]
    [InlineData("telemetry speed_kmh=yes")]
    [InlineData("telemetry battery_id='BP-1'")]
    [InlineData("telemetry battery_id=\"BP-1")]                // unterminated
    [InlineData("telemetry battery_id=\"BP-1\"x")]
    [InlineData("telemetry speed_kmh=1,")]
    [InlineData("telemetry speed_kmh=1,,lat=1")]
    public void A_line_that_is_not_line_protocol_rejects_the_whole_message_as_bad_payload_like_invalid_json(string bad)
    {
        var r = Decode($"telemetry lat=1 1795593600000\n{bad}\ntelemetry lon=1 1795593600000");
        Assert.Empty(r.Lines);
        Assert.Equal(["bad_payload"], r.Rejections);
    }

    [Fact]
    public void Text_that_is_not_utf8_is_bad_payload_and_a_byte_order_mark_is_ignored()
    {
        byte[] latin1 = [.. "telemetry battery_id=\""u8, 0xE9, .. "\" 1795593600000"u8];
        Assert.Equal(["bad_payload"], ContractValidator.Validate(TestCatalogue.Shipped, Topic, latin1, Now).Rejections);
        byte[] bom = [0xEF, 0xBB, 0xBF, .. "telemetry lat=1 1795593600000"u8];
        Assert.Equal([$"telemetry,{Tags} lat=1 1795593600000"], ContractValidator.Validate(TestCatalogue.Shipped, Topic, bom, Now).Lines);
    }

    [Fact]
    public void A_payload_without_a_point_line_writes_nothing_and_reports_nothing_like_an_empty_json_batch()
    {
        foreach (var empty in new[] { "", "\n", "# only a comment\n", "  \r\n\t\n" })
        {
            var r = Decode(empty);
            Assert.Empty(r.Lines);
            Assert.Empty(r.Rejections);
        }
    }

    [Fact]
    public void Escapes_in_keys_are_decoded_before_the_catalogue_is_asked_and_reported_as_sent()
    {
        // An escaped space, comma or equals sign is part of the key: no such signal, and no field or tag is added.
        Assert.Equal(["unknown_key 0 speed\\ kmh", "unknown_key 0 lat\\,lon", "unknown_key 0 soc_pct\\=5", "point 0 1795593600000"],
            Findings("telemetry speed\\ kmh=1,lat\\,lon=2,soc_pct\\=5=3,alt_m=1 1795593600000"));
        // A backslash before another character is itself, so this is no catalogue key either.
        Assert.Equal(["unknown_key 0 spe\\ed_kmh", "point 0 1795593600000"], Findings("telemetry spe\\ed_kmh=1,alt_m=1 1795593600000"));
        // Two backslashes are one: the equals sign after them ends the key.
        Assert.Equal(["unknown_key 0 alt_m\\\\", "point 0 1795593600000"], Findings("telemetry alt_m\\\\=1,lat=1 1795593600000"));
    }

    [Fact]
    public void Injection_through_escapes_newlines_and_strings_never_adds_a_point_a_field_or_a_tag()
    {
        // A second line smuggled into a string: lines end at every newline, so the string is unterminated.
        Assert.Equal(["bad_payload"], Decode("telemetry battery_id=\"BP-1\ntelemetry,vehicle_id=EVIL speed_kmh=250 1795593600000\" 1795593600000").Rejections);
        // An escaped quote keeps the string going: what looks like fields and a timestamp is the string's text.
        Assert.Equal(["events,kind=emoto,site=amata-chonburi,type=fault,vehicle_id=EM-000123 message=\"x\\\" speed_kmh=250,vehicle_id=EVIL 1\" 1795593600000"],
            Decode("events,type=fault message=\"x\\\" speed_kmh=250,vehicle_id=EVIL 1\" 1795593600000").Lines);
        // An escaped comma and equals sign in the type tag's value: one tag value, not a second tag.
        Assert.Equal(["missing_required"], Decode("events,type=fault\\,vehicle_id\\=EVIL code=1i 1795593600000").Rejections);
        // A carriage return inside a line is not a line end: the timestamp is not one, and has a space.
        Assert.Equal(["bad_payload"], Decode("telemetry speed_kmh=1 1795593600000\rtelemetry lat=2 1795593600000").Rejections);
        Assert.Equal(["ts_invalid"], Decode("telemetry speed_kmh=1 1795593600000\rX").Rejections);
        // Control characters (NEL, CR, NUL) in a string are refused, the rest of the line kept.
        Assert.Equal([$"telemetry,{Tags} lat=1 1795593600000"], Decode("telemetry battery_id=\"a\u0085b\",lat=1 1795593600000").Lines);
        Assert.Equal(["field_invalid"], Decode("telemetry battery_id=\"a\rb\",lat=1 1795593600000").Rejections);
        Assert.Equal(["field_invalid"], Decode("telemetry battery_id=\"a\0b\",lat=1 1795593600000").Rejections);
        // Escaped spaces and equals signs in a tag value cannot reach the field set; an unescaped '=' there is not line protocol.
        Assert.Equal(["unknown_key 0 x", "point 0 1795593600000"], Findings("telemetry,x=a\\ speed_kmh\\=250 lat=1 1795593600000"));
        Assert.Equal(["bad_payload -1"], Findings("telemetry,x=a\\ speed_kmh=250 lat=1 1795593600000"));
    }

    [Fact]
    public void The_lp_stream_takes_text_plain_or_no_content_type()
    {
        Assert.Equal(["point 0 1795593600000"], Findings("telemetry lat=1 1795593600000", "text/plain; charset=utf-8"));
        Assert.Equal(["point 0 1795593600000"], Findings("telemetry lat=1 1795593600000", "Text/Plain"));
        Assert.Equal(["bad_content_type -1 application/json"], Findings("telemetry lat=1 1795593600000", "application/json"));
        Assert.Equal(["bad_content_type -1 text/plain; charset=latin1"], Findings("telemetry lat=1 1795593600000", "text/plain; charset=latin1"));
    }
}
