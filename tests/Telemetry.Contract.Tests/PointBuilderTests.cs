using System.Text;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Tests;

/// <summary>
/// The point builder as a binary format's reader uses it (values as doubles, integers, booleans, strings): the
/// same rules as for JSON, through the builder's own API.
/// </summary>
public class PointBuilderTests
{
    private const string Tags = "kind=h2bus,site=bkk,vehicle_id=BUS-1";
    private static readonly KindDefinition H2Bus = TestCatalogue.Shipped.Kinds.Single(k => k.Name == "h2bus");

    private struct RecordingSink : IDecodeSink
    {
        public List<string> Log;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Log.Add($"point {objectIndex} {seq} {timestampMs}");
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) =>
            Log.Add($"{reason.Name()} {objectIndex} {Encoding.UTF8.GetString(key)}");
    }

    private delegate void Points(PointBuilder.Handler handler);

    private static (string[] Lines, List<string> Findings, DecodeOutcome Outcome) Build(Points read, StreamKind stream = StreamKind.Telemetry,
        bool retained = false)
    {
        var builder = new PointBuilder(TestCatalogue.Shipped);
        using var output = new LineBuffer(256);
        output.Write("earlier\n"u8);
        builder.BeginMessage("bkk", H2Bus, "BUS-1", stream, retained, TestCatalogue.Now, output);
        read(builder.AsHandler());
        var sink = new RecordingSink { Log = [] };
        var outcome = builder.EndMessage(ref sink);
        var lines = Encoding.UTF8.GetString(output.WrittenSpan).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("earlier", lines[0]);
        return (lines[1..], sink.Log, outcome);
    }

    [Fact]
    public void Binary_values_are_checked_and_written_by_the_signals_type()
    {
        var (lines, findings, outcome) = Build(h =>
        {
            h.BeginPoint(0);
            h.Timestamp(TestCatalogue.Now - 1000);
            h.Field("speed_kmh"u8, FieldValue.Double(38.25));
            h.Field("soc_pct"u8, FieldValue.Integer(76));            // an integer for a float signal: written as a float
            h.Field("passengers"u8, FieldValue.Double(12.0));         // a float that is exactly an integer
            h.Field("door_open"u8, FieldValue.Boolean(true));
            h.Field("fc_state"u8, FieldValue.String("run"u8));
            h.Field("seq"u8, FieldValue.Integer(7));
            h.Field("Vehicle.TraveledDistance"u8, FieldValue.Integer(1500)); // by VSS path, in m
            h.EndPoint();
        });
        Assert.Equal($"telemetry,{Tags} speed_kmh=38.25,soc_pct=76,passengers=12i,door_open=true,fc_state=\"run\",seq=7i,odo_km=1.5 {TestCatalogue.Now - 1000}",
            Assert.Single(lines));
        Assert.Equal([$"point 0 7 {TestCatalogue.Now - 1000}"], findings);
        Assert.Equal(1, outcome.Points);
    }

    [Fact]
    public void Wrong_types_and_ranges_drop_the_field_and_name_the_key_as_sent()
    {
        var (lines, findings, _) = Build(h =>
        {
            h.BeginPoint(0);
            h.Field("speed_kmh"u8, FieldValue.Boolean(true));
            h.Field("passengers"u8, FieldValue.Double(12.5));
            h.Field("door_open"u8, FieldValue.Integer(1));
            h.Field("fc_state"u8, FieldValue.String([0x72, 0xFF]));      // not UTF-8
            h.Field("h2_mass_kg"u8, FieldValue.Double(double.NaN));
            h.Field("lat"u8, FieldValue.Double(91), "Vehicle/CurrentLocation/Latitude"u8);
            h.Field("nope"u8, FieldValue.Integer(1));
            h.Field("lon"u8, FieldValue.Unsupported);
            h.Field("alt_m"u8, FieldValue.Integer(5));
            h.EndPoint();
        });
        Assert.Equal($"telemetry,{Tags} alt_m=5 {TestCatalogue.Now}", Assert.Single(lines));
        Assert.Equal([
            "field_invalid 0 speed_kmh", "field_invalid 0 passengers", "field_invalid 0 door_open", "field_invalid 0 fc_state",
            "field_invalid 0 h2_mass_kg", "field_invalid 0 Vehicle/CurrentLocation/Latitude", "unknown_key 0 nope", "field_invalid 0 lon",
            $"point 0 -1 {TestCatalogue.Now}",
        ], findings);
    }

    [Fact]
    public void Senml_units_must_be_the_catalogues()
    {
        var (lines, findings, _) = Build(h =>
        {
            h.BeginPoint(0);
            h.Field("speed_kmh"u8, FieldValue.Double(10), "speed_kmh"u8, "km/h"u8);
            h.Field("fc_stack_temp_c"u8, FieldValue.Double(60), "fc_stack_temp_c"u8, "Cel"u8);
            h.Field("soc_pct"u8, FieldValue.Double(50), "soc_pct"u8, "%EL"u8);
            h.Field("Vehicle.TraveledDistance"u8, FieldValue.Double(2000), "Vehicle.TraveledDistance"u8, "m"u8);
            h.Field("motor_rpm"u8, FieldValue.Double(100), "motor_rpm"u8, "rpm"u8);      // SenML says 1/min
            h.Field("h2_mass_kg"u8, FieldValue.Double(1), "h2_mass_kg"u8, "g"u8);
            h.Field("door_open"u8, FieldValue.Boolean(true), "door_open"u8, "m"u8);     // no unit in the catalogue
            h.EndPoint();
        });
        Assert.Equal($"telemetry,{Tags} speed_kmh=10,fc_stack_temp_c=60,soc_pct=50,odo_km=2 {TestCatalogue.Now}", Assert.Single(lines));
        Assert.Equal(["field_invalid 0 motor_rpm", "field_invalid 0 h2_mass_kg", "field_invalid 0 door_open", $"point 0 -1 {TestCatalogue.Now}"], findings);
    }

    [Fact]
    public void Points_may_name_their_measurement_and_a_rejected_point_reports_only_its_reason()
    {
        var (lines, findings, outcome) = Build(h =>
        {
            h.BeginPoint(0, StreamKind.Event);
            h.Field("type"u8, FieldValue.String("fault"u8));
            h.Field("code"u8, FieldValue.Integer(12));
            h.EndPoint();
            h.BeginPoint(1, StreamKind.Status);
            h.Field("online"u8, FieldValue.Boolean(true));
            h.Field("nope"u8, FieldValue.Boolean(true));
            h.Field("online"u8, FieldValue.Boolean(false));
            h.EndPoint();
            h.BeginPoint(2, StreamKind.Telemetry);
            h.Field("speed_kmh"u8, FieldValue.Double(1));
            h.FieldRefused(RejectReason.UnknownKey, "driver"u8);
            h.EndPoint();
        });
        Assert.Equal([
            $"events,kind=h2bus,site=bkk,type=fault,vehicle_id=BUS-1 code=12i {TestCatalogue.Now}",
            $"telemetry,{Tags} speed_kmh=1 {TestCatalogue.Now}",
        ], lines);
        Assert.Equal([$"point 0 -1 {TestCatalogue.Now}", "duplicate_field 1 ", "unknown_key 2 driver", $"point 2 -1 {TestCatalogue.Now}"], findings);
        Assert.Equal((3, 2, 1), (outcome.Objects, outcome.Points, outcome.ObjectsRejected));
    }

    [Fact]
    public void Time_rules_apply_to_every_point()
    {
        var (lines, findings, _) = Build(h =>
        {
            h.BeginPoint(0);
            h.Timestamp(TestCatalogue.Now - TimeSpan.FromDays(8).Ticks / TimeSpan.TicksPerMillisecond);
            h.Field("speed_kmh"u8, FieldValue.Double(1));
            h.EndPoint();
            h.BeginPoint(1);
            h.TimestampInvalid();
            h.Field("speed_kmh"u8, FieldValue.Double(1));
            h.EndPoint();
            h.BeginPoint(2);
            h.Field("speed_kmh"u8, FieldValue.Double(1));
            h.EndPoint();
        }, retained: true);
        Assert.Empty(lines);
        Assert.Equal(["ts_out_of_range 0 ", "ts_invalid 1 ", "retained_without_ts 2 "], findings);
    }

    [Fact]
    public void A_relative_time_counts_from_the_receive_time_and_is_refused_on_a_retained_message()
    {
        Points read = h =>
        {
            h.BeginPoint(0);
            h.RelativeTimestamp(-5000);
            h.Field("speed_kmh"u8, FieldValue.Double(1));
            h.EndPoint();
        };
        var (lines, _, outcome) = Build(read);
        Assert.Equal($"telemetry,{Tags} speed_kmh=1 {TestCatalogue.Now - 5000}", Assert.Single(lines));
        Assert.Equal(1, outcome.ReceiveTimeUsed);
        var (retainedLines, findings, _) = Build(read, retained: true);
        Assert.Empty(retainedLines);
        Assert.Equal(["retained_without_ts 0 "], findings);
    }

    [Fact]
    public void A_message_rejected_whole_takes_its_lines_back_out()
    {
        var builder = new PointBuilder(TestCatalogue.Shipped);
        using var output = new LineBuffer(256);
        output.Write("earlier\n"u8);
        builder.BeginMessage("bkk", H2Bus, "BUS-1", StreamKind.Telemetry, false, TestCatalogue.Now, output);
        var h = builder.AsHandler();
        h.BeginPoint(0);
        h.Field("speed_kmh"u8, FieldValue.Double(1));
        h.EndPoint();
        var sink = new RecordingSink { Log = [] };
        var outcome = builder.RejectMessage(RejectReason.BadPayload, ref sink);
        Assert.Equal("earlier\n", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(["bad_payload -1 "], sink.Log);
        Assert.Equal(RejectReason.BadPayload, outcome.MessageRejection);
    }
}
