using System.Text;
using Senml.TestEncoder;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Validation;

namespace Telemetry.Contract.Tests;

/// <summary>
/// Wire contract section 6: SenML packs on streams <c>senml</c> (JSON) and <c>senml-cbor</c>, each case written by the
/// test encoder in both encodings (and in CBOR with text labels and indefinite lengths) and required to give the same answer.
/// </summary>
public class SenmlTests
{
    private const string Tags = "kind=emoto,site=bkk,vehicle_id=EM-1";
    private const long Now = TestCatalogue.Now;
    private const double NowSeconds = Now / 1000.0;

    public enum Encoding { Json, Cbor, CborTextLabels, CborIndefinite }

    public static TheoryData<Encoding> Encodings => [Encoding.Json, Encoding.Cbor, Encoding.CborTextLabels, Encoding.CborIndefinite];

    private static ValidationResult Decode(Encoding encoding, bool retained, params SenmlRecord[] pack)
    {
        var (stream, payload) = encoding switch
        {
            Encoding.Json => ("senml", SenmlEncoder.Json(pack)),
            Encoding.Cbor => ("senml-cbor", SenmlEncoder.Cbor(pack)),
            Encoding.CborTextLabels => ("senml-cbor", SenmlEncoder.Cbor(pack, textLabels: true)),
            _ => ("senml-cbor", SenmlEncoder.Cbor(pack, indefinite: true)),
        };
        return ContractValidator.Validate(TestCatalogue.Shipped, $"fleet/bkk/emoto/EM-1/{stream}", payload, Now, retained);
    }

    private static ValidationResult Decode(Encoding encoding, params SenmlRecord[] pack) => Decode(encoding, false, pack);

    private static SenmlRecord R() => new();

    [Theory, MemberData(nameof(Encodings))]
    public void Records_of_one_time_are_one_point_and_base_fields_apply_to_the_records_after_them(Encoding e)
    {
        var r = Decode(e,
            R().Add("bn", "Vehicle.").Add("bt", NowSeconds - 10).Add("n", "Speed").Add("u", "km/h").Add("v", 38.5),
            R().Add("n", "CurrentLocation.Latitude").Add("v", 13.7563),
            R().Add("bn", "").Add("n", "seq").Add("v", 1042L),
            R().Add("n", "ignition").Add("vb", true),
            R().Add("n", "battery_id").Add("vs", "BP-88812"),
            R().Add("n", "speed_kmh").Add("t", 5).Add("v", 40.25));
        Assert.Empty(r.Rejections);
        Assert.Equal([
            $"telemetry,{Tags} speed_kmh=38.5,lat=13.7563,seq=1042i,ignition=true,battery_id=\"BP-88812\" {Now - 10_000}",
            $"telemetry,{Tags} speed_kmh=40.25 {Now - 5_000}",
        ], r.Lines);
    }

    [Theory, MemberData(nameof(Encodings))]
    public void Times_below_2_pow_28_are_relative_to_the_receive_time_and_none_is_the_receive_time(Encoding e)
    {
        var r = Decode(e,
            R().Add("n", "speed_kmh").Add("v", 1),
            R().Add("n", "lat").Add("t", -60.5).Add("v", 2),
            R().Add("bt", 0.25).Add("n", "lon").Add("v", 3));
        Assert.Equal([
            $"telemetry,{Tags} speed_kmh=1 {Now}",
            $"telemetry,{Tags} lat=2 {Now - 60_500}",
            $"telemetry,{Tags} lon=3 {Now + 250}",
        ], r.Lines);
        Assert.Equal(3, r.Outcome.ReceiveTimeUsed);
        Assert.Equal(["retained_without_ts", "retained_without_ts", "retained_without_ts"],
            Decode(e, true, R().Add("n", "speed_kmh").Add("v", 1), R().Add("n", "lat").Add("t", -60).Add("v", 2), R().Add("n", "lon").Add("t", 1).Add("v", 3)).Rejections);
    }

    [Theory, MemberData(nameof(Encodings))]
    public void Units_must_be_the_catalogues_by_their_senml_names(Encoding e)
    {
        var r = Decode(e,
            R().Add("bt", NowSeconds).Add("bu", "Cel").Add("n", "batt_temp_c").Add("v", 30),
            R().Add("n", "motor_temp_c").Add("v", 40),
            R().Add("n", "soc_pct").Add("u", "%EL").Add("v", 50),
            R().Add("n", "motor_rpm").Add("u", "1/min").Add("v", 3000),
            R().Add("n", "batt_v").Add("u", "mV").Add("v", 72000),
            R().Add("n", "Vehicle.TraveledDistance").Add("u", "m").Add("v", 12_500),
            R().Add("n", "speed_kmh").Add("v", 10));   // bu (Cel) still holds: not km/h
        Assert.Equal([$"telemetry,{Tags} batt_temp_c=30,motor_temp_c=40,soc_pct=50,motor_rpm=3000,odo_km=12.5 {Now}"], r.Lines);
        Assert.Equal(["field_invalid", "field_invalid"], r.Rejections);
    }

    [Theory, MemberData(nameof(Encodings))]
    public void Values_are_checked_like_json_values(Encoding e)
    {
        var r = Decode(e,
            R().Add("bt", NowSeconds).Add("n", "speed_kmh").Add("v", 999),
            R().Add("n", "lat").Add("vs", "north"),
            R().Add("n", "ignition").Add("v", 1),
            R().Add("n", "battery_id").Add("vd", new byte[] { 1, 2 }),
            R().Add("n", "lon").Add("s", 5.0),
            R().Add("n", "lift_height_m").Add("v", 1),
            R().Add("bv", 10.0).Add("n", "soc_pct").Add("v", 5.5),
            R().Add("n", "alt_m").Add("v", 1).Add("vb", true));
        Assert.Equal([$"telemetry,{Tags} soc_pct=15.5 {Now}"], r.Lines);
        Assert.Equal(["field_invalid", "field_invalid", "field_invalid", "field_invalid", "field_invalid", "unknown_key", "field_invalid"], r.Rejections);
    }

    [Theory, MemberData(nameof(Encodings))]
    public void Point_rules_apply_to_each_time_group(Encoding e)
    {
        var r = Decode(e,
            R().Add("n", "speed_kmh").Add("t", NowSeconds - 8 * 86400).Add("v", 1),
            R().Add("n", "speed_kmh").Add("t", NowSeconds).Add("v", 1),
            R().Add("n", "Vehicle.Speed").Add("t", NowSeconds).Add("v", 2),
            R().Add("n", "nope").Add("t", NowSeconds - 1).Add("v", 1),
            R().Add("n", "lat").Add("t", NowSeconds - 2).Add("v", 1));
        Assert.Equal([$"telemetry,{Tags} lat=1 {Now - 2000}"], r.Lines);
        Assert.Equal(["ts_out_of_range", "duplicate_field", "no_fields"], r.Rejections);
    }

    [Theory, MemberData(nameof(Encodings))]
    public void A_pack_this_reader_cannot_understand_is_bad_payload(Encoding e)
    {
        Assert.Equal(["bad_payload"], Decode(e, R().Add("bver", 11L).Add("n", "speed_kmh").Add("v", 1)).Rejections);
        Assert.Equal(["bad_payload"], Decode(e, R().Add("n", "speed_kmh").Add("v", 1).Add("t_", 1)).Rejections);
        Assert.Equal(["bad_payload"], Decode(e, R().Add("n", 5L).Add("v", 1)).Rejections);
        Assert.Equal(["bad_payload"], Decode(e, R().Add("bt", "yesterday").Add("n", "lat").Add("v", 1)).Rejections);
        Assert.Equal(["bad_payload"], Decode(e, R().Add("n", "lat").Add("n", "lon").Add("v", 1)).Rejections);
        // bver 10 and unknown labels that need not be understood are fine.
        var r = Decode(e, R().Add("bver", 10L).Add("n", "lat").Add("v", 1).Add("x-extra", "ignored"));
        Assert.Equal([$"telemetry,{Tags} lat=1 {Now}"], r.Lines);
        Assert.Empty(r.Rejections);
    }

    [Fact]
    public void Not_json_is_bad_json_and_json_that_is_not_a_pack_is_bad_payload()
    {
        ValidationResult Json(string text) =>
            ContractValidator.Validate(TestCatalogue.Shipped, "fleet/bkk/emoto/EM-1/senml", System.Text.Encoding.UTF8.GetBytes(text), Now);
        Assert.Equal(["bad_json"], Json("""[{"n":"lat","v":1}""").Rejections);
        Assert.Equal(["bad_json"], Json("""[{"n":"lat","v":1}] x""").Rejections);
        Assert.Equal(["bad_payload"], Json("""{"n":"lat","v":1}""").Rejections);
        Assert.Equal(["bad_payload"], Json("""[{"n":"lat","v":1}, 5]""").Rejections);
        Assert.Empty(Json("[]").Rejections);
        Assert.Equal([$"telemetry,{Tags} lat=1 {Now}"], Json("""[{"n":"l\u0061t","v":1}]""").Lines);
    }

    [Fact]
    public void Cbor_that_is_not_well_formed_is_bad_payload_and_every_float_width_reads()
    {
        ValidationResult Cbor(params byte[] bytes) => ContractValidator.Validate(TestCatalogue.Shipped, "fleet/bkk/emoto/EM-1/senml-cbor", bytes, Now);
        var valid = SenmlEncoder.Cbor([R().Add("n", "lat").Add("v", 1.5)]);
        for (int cut = 0; cut < valid.Length; cut++)
            Assert.Equal(["bad_payload"], Cbor(valid[..cut]).Rejections);
        Assert.Equal(["bad_payload"], Cbor([.. valid, 0x00]).Rejections);
        Assert.Equal(["bad_payload"], Cbor(0x81, 0xA1, 0x00, 0x62, 0xFF, 0xFE).Rejections); // text that is not UTF-8
        Assert.Equal(["bad_payload"], Cbor(0x81, 0xA1, 0x00, 0x7C).Rejections);              // reserved additional information
        Assert.Equal(["bad_payload"], Cbor(0xA0).Rejections);                                // a map, not an array

        var r = ContractValidator.Validate(TestCatalogue.Shipped, "fleet/bkk/emoto/EM-1/senml-cbor",
            SenmlEncoder.Cbor([R().Add("n", "lat").Add("v", (Half)1.5), R().Add("n", "lon").Add("v", 2.25f), R().Add("n", "alt_m").Add("v", -3L)]), Now);
        Assert.Equal([$"telemetry,{Tags} lat=1.5,lon=2.25,alt_m=-3 {Now}"], r.Lines);
    }

    [Fact]
    public void The_same_pack_gives_the_same_lines_in_json_and_cbor()
    {
        var random = new Random(7);
        string[] names = ["speed_kmh", "lat", "lon", "soc_pct", "batt_v", "Vehicle.Speed", "seq", "ignition", "battery_id", "nope"];
        for (int i = 0; i < 300; i++)
        {
            var pack = Enumerable.Range(0, random.Next(1, 12)).Select(_ =>
            {
                var record = R();
                if (random.Next(4) == 0) record.Add("bt", NowSeconds - random.Next(0, 100));
                record.Add("n", names[random.Next(names.Length)]);
                if (random.Next(3) == 0) record.Add("t", (double)random.Next(-3, 3));
                switch (random.Next(4))
                {
                    case 0: record.Add("vb", random.Next(2) == 0); break;
                    case 1: record.Add("vs", "BP-" + random.Next(100)); break;
                    default: record.Add("v", Math.Round(random.NextDouble() * 300 - 50, random.Next(0, 5))); break;
                }
                return record;
            }).ToArray();
            var json = Decode(Encoding.Json, pack);
            var cbor = Decode(Encoding.Cbor, pack);
            Assert.Equal(json.Lines, cbor.Lines);
            Assert.Equal(json.Rejections, cbor.Rejections);
        }
    }
}
