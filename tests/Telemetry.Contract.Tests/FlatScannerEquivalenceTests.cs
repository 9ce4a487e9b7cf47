using System.Globalization;
using System.Text;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Decoding.Json;

namespace Telemetry.Contract.Tests;

/// <summary>
/// The decoder reads flat payloads with its own scanner and everything else with Utf8JsonReader: whatever
/// the payload, both paths must write the same lines and report the same findings.
/// </summary>
public class FlatScannerEquivalenceTests
{
    private const string Telemetry = "fleet/amata-chonburi/emoto/EM-000123/telemetry";
    private const string Event = "fleet/amata-chonburi/emoto/EM-000123/event";
    private const string Status = "fleet/amata-chonburi/emoto/EM-000123/status";

    private struct RecordingSink : IDecodeSink
    {
        public StringBuilder Log;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Log.Append($"point {objectIndex} {seq};");
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) =>
            Log.Append($"{reason.Name()} {objectIndex} {Encoding.UTF8.GetString(key)};");
    }

    private static string Run(bool flatScan, string topic, byte[] payload, bool retained = false)
    {
        var decoder = new PayloadDecoder(TestCatalogue.Shipped) { FlatScanEnabled = flatScan };
        using var output = new LineBuffer(1024);
        var sink = new RecordingSink { Log = new StringBuilder() };
        var outcome = decoder.Decode(topic, payload, retained, TestCatalogue.Now, output, ref sink);
        return $"{Encoding.UTF8.GetString(output.WrittenSpan)}|{sink.Log}|{outcome.Objects} {outcome.Points} " +
               $"{outcome.ObjectsRejected} {outcome.ReceiveTimeUsed} {outcome.MessageRejection}";
    }

    private static void AssertSame(string topic, string json, bool retained = false)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        Assert.Equal(Run(false, topic, payload, retained), Run(true, topic, payload, retained));
    }

    [Theory]
    [InlineData("""{"ts":1795593600123,"seq":1042,"speed_kmh":38.5,"lat":13.7563,"ignition":true,"battery_id":"BP-1"}""")]
    [InlineData(""" [ {"ts" : 1795593600000 , "speed_kmh":1} ,{"speed_kmh":2}] """)]
    [InlineData("\t{\r\n\"speed_kmh\"\t:\n1 }\n")]
    [InlineData("""[]""")]
    [InlineData("""{}""")]
    [InlineData("""[{}]""")]
    [InlineData("""{"speed_kmh":null,"lat":1}""")]
    [InlineData("""{"speed_kmh":-0,"lat":-0.0,"lon":0.0,"alt_m":-0.5}""")]
    [InlineData("""{"speed_kmh":1e2,"lat":1E-5,"lon":-1.5e+1,"alt_m":1e400,"odo_km":123456789012345678}""")]
    [InlineData("""{"Vehicle.TraveledDistance":1234.5,"Vehicle.Speed":0.1234567890123456789}""")]
    [InlineData("""{"speed_kmh":250.0000000000001,"lat":90.00000000000001,"lon":-180}""")]
    [InlineData("""{"seq":12.0,"ts":1795593600000.0}""")]
    [InlineData("""{"seq":-1,"speed_kmh":"fast","ignition":1,"battery_id":5,"nope":true}""")]
    [InlineData("""{"speed_kmh":1,"speed_kmh":2}""")]
    [InlineData("""{"speed_kmh":1,"Vehicle.Speed":2}""")]
    [InlineData("""{"ts":1,"speed_kmh":1}""")]
    [InlineData("""{"ts":"2026-11-25T15:00:00.123+07:00","speed_kmh":1}""")]
    [InlineData("""{"ts":"yesterday","speed_kmh":1}""")]
    [InlineData("""{"battery_id":"BP-\u0038812","sp\u0065ed_kmh":3}""")]
    [InlineData("""{"battery_id":"naïve ✓ \"q\" back\\slash"}""")]
    [InlineData("""{"speed_kmh":1,"nope":{"a":[1,{"b":2}]},"lat":2}""")]
    [InlineData("""{"speed_kmh":1,"lat":[1,2]}""")]
    [InlineData("""{"Vehicle.LowVoltageSystemState":"ON","Vehicle.Powertrain.TractionBattery.Charging.IsCharging":"ON"}""")]
    public void Telemetry_payloads_decode_the_same_on_both_paths(string json) => AssertSame(Telemetry, json);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("""{"speed_kmh":1""")]
    [InlineData("""{"speed_kmh":1,}""")]
    [InlineData("""{"speed_kmh":1}}""")]
    [InlineData("""{"speed_kmh":1} {"lat":1}""")]
    [InlineData("""[{"speed_kmh":1},]""")]
    [InlineData("""[{"speed_kmh":1} {"lat":1}]""")]
    [InlineData("""[1,{"speed_kmh":1}]""")]
    [InlineData("""{"speed_kmh":01}""")]
    [InlineData("""{"speed_kmh":1.}""")]
    [InlineData("""{"speed_kmh":.5}""")]
    [InlineData("""{"speed_kmh":-}""")]
    [InlineData("""{"speed_kmh":1e}""")]
    [InlineData("""{"speed_kmh":+1}""")]
    [InlineData("""{"speed_kmh":NaN}""")]
    [InlineData("""{"speed_kmh":tru}""")]
    [InlineData("""{"ignition":truex}""")]
    [InlineData("""{"speed_kmh" 1}""")]
    [InlineData("""{speed_kmh:1}""")]
    [InlineData("""{"speed_kmh":1 /* c */}""")]
    [InlineData("{\"battery_id\":\"a\tb\"}")]
    [InlineData("{\"batt\nery_id\":\"ab\"}")]
    [InlineData("""{"battery_id":"abc}""")]
    [InlineData("""17""")]
    [InlineData("""null""")]
    [InlineData("""[[{"speed_kmh":1}]]""")]
    public void Malformed_and_odd_payloads_get_the_same_answer_on_both_paths(string json) => AssertSame(Telemetry, json);

    [Theory]
    [InlineData("""{"ts":1795593660000,"type":"battery_swap","battery_id":"BP-88812","station_id":"SW-BKK-031","soc_pct":96.0}""")]
    [InlineData("""{"type":"trip_start"}""")]
    [InlineData("""{"type":"nap","code":7}""")]
    [InlineData("""{"type":"fault","type":"fault"}""")]
    [InlineData("""{"type":"fault","code":1.5,"message":"x"}""")]
    public void Events_decode_the_same_on_both_paths(string json) => AssertSame(Event, json);

    [Theory]
    [InlineData("""{"ts":1795593600000,"online":true,"fw":"2.4.1","rssi_dbm":-71}""", false)]
    [InlineData("""{"online":false}""", true)]
    [InlineData("""{"online":false}""", false)]
    [InlineData("""{"fw":"2.4.1"}""", false)]
    public void Statuses_decode_the_same_on_both_paths(string json, bool retained) => AssertSame(Status, json, retained);

    [Fact]
    public void Random_numbers_decode_the_same_on_both_paths()
    {
        var random = new Random(20261125);
        var keys = new[] { "speed_kmh", "lat", "lon", "alt_m", "odo_km", "motor_rpm", "batt_a", "Vehicle.TraveledDistance", "seq" };
        for (int i = 0; i < 5000; i++)
        {
            var json = new StringBuilder("{");
            foreach (var key in keys)
            {
                if (json.Length > 1) json.Append(',');
                json.Append('"').Append(key).Append("\":").Append(RandomNumberText(random));
            }
            AssertSame(Telemetry, json.Append('}').ToString());
        }
    }

    [Fact]
    public void Number_conversion_matches_Utf8JsonReader()
    {
        var random = new Random(7);
        var samples = Enumerable.Range(0, 20000).Select(_ => RandomNumberText(random))
            .Concat(["0", "-0", "-0.0", "9007199254740993", "0.1", "1e400", "-1e400", "4.9e-324", "123456789012345.6",
                     "999999999999999999", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.0", "1e3"]);
        foreach (var text in samples)
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            var reader = new System.Text.Json.Utf8JsonReader(utf8);
            reader.Read();
            bool readerDouble = reader.TryGetDouble(out double expectedDouble);
            bool readerLong = reader.TryGetInt64(out long expectedLong);

            Assert.Equal(readerDouble, JsonNumber.TryGetDouble(utf8, out double actualDouble));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedDouble), BitConverter.DoubleToInt64Bits(actualDouble));
            Assert.Equal(readerLong, JsonNumber.TryGetInt64(utf8, out long actualLong));
            Assert.Equal(expectedLong, actualLong);
        }
    }

    /// <summary>Valid JSON numbers of every shape: signs, leading zero, up to 20 digits, fractions, exponents.</summary>
    private static string RandomNumberText(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(3) == 0) text.Append('-');
        int integerDigits = random.Next(4) == 0 ? 0 : random.Next(1, 12);
        if (integerDigits == 0) text.Append('0');
        else
        {
            text.Append((char)('1' + random.Next(9)));
            for (int d = 1; d < integerDigits; d++) text.Append((char)('0' + random.Next(10)));
        }
        if (random.Next(2) == 0)
        {
            text.Append('.');
            int fractionDigits = random.Next(1, 10);
            for (int d = 0; d < fractionDigits; d++) text.Append((char)('0' + random.Next(10)));
        }
        if (random.Next(6) == 0)
            text.Append(random.Next(2) == 0 ? 'e' : 'E').Append(random.Next(3) switch { 0 => "+", 1 => "-", _ => "" })
                .Append(random.Next(0, 30).ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }
}
