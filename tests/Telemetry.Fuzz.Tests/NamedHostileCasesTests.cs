using System.Text;
using Telemetry.Contract;
using Telemetry.Contract.Decoding;

namespace Telemetry.Fuzz.Tests;

/// <summary>The attacks named in the security issue, each through the decoder and the same oracle as the fuzz run.</summary>
public sealed class NamedHostileCasesTests
{
    private const string Telemetry = "fleet/bkk/emoto/EM-1/telemetry";
    private static readonly string Ts = (DecoderFuzzTests.Now - 1000).ToString();

    private static (DecodeOutcome Outcome, string Lines) Decode(string topic, byte[] payload)
    {
        var decoder = new PayloadDecoder(DecoderFuzzTests.Catalogue, DecoderFuzzTests.Options);
        using var output = new LineBuffer();
        var sink = new CountingSink();
        var outcome = decoder.Decode(topic, payload, retained: false, DecoderFuzzTests.Now, output, ref sink);
        new ContractOracle(DecoderFuzzTests.Catalogue, DecoderFuzzTests.Now, DecoderFuzzTests.Options).Check(topic, outcome, output.WrittenSpan);
        return (outcome, Encoding.UTF8.GetString(output.WrittenSpan));
    }

    private static (DecodeOutcome Outcome, string Lines) Decode(string topic, string payload) => Decode(topic, Encoding.UTF8.GetBytes(payload));

    [Fact]
    public void Invalid_utf8_is_bad_json()
    {
        byte[] payload = [.. Encoding.UTF8.GetBytes($$"""{"ts":{{Ts}},"battery_id":"ab"""), 0xC0, 0x80, .. "\"}"u8];
        Assert.Equal(RejectReason.BadJson, Decode(Telemetry, payload).Outcome.MessageRejection);
        Assert.Equal(RejectReason.BadJson, Decode(Telemetry, [0xFF, 0xFE, (byte)'{', (byte)'}']).Outcome.MessageRejection);
    }

    [Fact]
    public void A_utf8_bom_is_skipped()
    {
        byte[] payload = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($$"""{"ts":{{Ts}},"speed_kmh":1}""")];
        Assert.Equal(1, Decode(Telemetry, payload).Outcome.Points);
    }

    [Fact]
    public void Nul_bytes_raw_or_escaped_never_reach_the_output()
    {
        Assert.Equal(RejectReason.BadJson, Decode(Telemetry, $"{{\"ts\":{Ts},\"battery_id\":\"a\0b\"}}").Outcome.MessageRejection);
        var (outcome, lines) = Decode(Telemetry, $$"""{"ts":{{Ts}},"battery_id":"a\u0000b","speed_kmh":1}""");
        Assert.Equal(1, outcome.Points);
        Assert.DoesNotContain("battery_id", lines);
        Assert.Equal(RejectReason.BadJson, Decode(Telemetry, "\0").Outcome.MessageRejection);
    }

    [Fact]
    public void Ten_thousand_deep_nesting_is_bad_json_without_a_stack_overflow()
    {
        Assert.Equal(RejectReason.BadJson, Decode(Telemetry, new string('[', 10_000) + new string(']', 10_000)).Outcome.MessageRejection);
        Assert.Equal(RejectReason.BadJson, Decode(Telemetry, $$"""{"ts":{{Ts}},"x":{{new string('[', 10_000)}}{{new string(']', 10_000)}}}""").Outcome.MessageRejection);
        string deepObjects = string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000);
        Assert.Equal(RejectReason.BadJson, Decode(Telemetry, deepObjects).Outcome.MessageRejection);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("\"NaN\"")]
    public void Overflowing_and_non_finite_numbers_are_never_written(string value)
    {
        var (outcome, lines) = Decode(Telemetry, $$"""{"ts":{{Ts}},"speed_kmh":{{value}},"soc_pct":50}""");
        Assert.DoesNotContain("speed_kmh", lines);
        Assert.DoesNotContain("inf", lines, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("nan", lines, StringComparison.OrdinalIgnoreCase);
        Assert.True(outcome.Points == 1 || outcome.MessageRejection == RejectReason.BadJson);
    }

    [Fact]
    public void Negative_zero_and_tiny_exponents_are_written_in_plain_decimal()
    {
        var (outcome, lines) = Decode(Telemetry, $$"""{"ts":{{Ts}},"speed_kmh":-0,"batt_a":-0.0,"odo_km":1e-5,"lat":1E-300}""");
        Assert.Equal(1, outcome.Points);
        var fields = StrictLineProtocol.Parse(lines.TrimEnd('\n')).Fields.ToDictionary(f => f.Key, f => f.Text);
        Assert.Equal("-0", fields["speed_kmh"]);
        Assert.Equal("0.00001", fields["odo_km"]);
        Assert.Equal("0." + new string('0', 299) + "1", fields["lat"]);
    }

    [Fact]
    public void A_huge_array_writes_exactly_one_line_per_valid_object()
    {
        var objects = Enumerable.Range(0, 6000).Select(i => i % 3 == 0 ? "{\"speed_kmh\":999}" : $$"""{"ts":{{Ts}},"seq":{{i}},"speed_kmh":1}""");
        var (outcome, lines) = Decode(Telemetry, "[" + string.Join(",", objects) + "]");
        Assert.Equal(4000, outcome.Points);
        Assert.Equal(4000, lines.Count(c => c == '\n'));
        Assert.Equal(RejectReason.TooLarge, Decode(Telemetry, "[" + string.Join(",", Enumerable.Repeat("{}", 200_000)) + "]").Outcome.MessageRejection);
    }

    [Fact]
    public void Very_long_keys_and_strings_are_dropped_not_written()
    {
        var (outcome, lines) = Decode(Telemetry, $$"""{"ts":{{Ts}},"{{new string('k', 100_000)}}":1,"battery_id":"{{new string('x', 100_000)}}","speed_kmh":1}""");
        Assert.Equal(1, outcome.Points);
        Assert.DoesNotContain("kkkk", lines);
        Assert.DoesNotContain("battery_id", lines);
    }

    [Theory]
    [InlineData("line\\nbreak")]
    [InlineData("carriage\\rreturn")]
    [InlineData("tab\\there")]
    [InlineData("esc\\u001b[31m")]
    [InlineData("del\\u007f")]
    public void Control_characters_and_newlines_in_strings_drop_the_field(string escaped)
    {
        var (outcome, lines) = Decode(Telemetry, $$"""{"ts":{{Ts}},"battery_id":"{{escaped}}","speed_kmh":1}""");
        Assert.Equal(1, outcome.Points);
        Assert.DoesNotContain("battery_id", lines);
        Assert.Single(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Quotes_backslashes_commas_and_equals_in_strings_cannot_open_a_new_field_or_tag()
    {
        var (outcome, lines) = Decode(Telemetry, $$"""{"ts":{{Ts}},"battery_id":"x\" ,site=evil,speed_kmh=1 \\","speed_kmh":2}""");
        Assert.Equal(1, outcome.Points);
        var line = StrictLineProtocol.Parse(lines.TrimEnd('\n'));
        Assert.Equal(["kind", "site", "vehicle_id"], line.Tags.Select(t => t.Key));
        Assert.Equal("x\" ,site=evil,speed_kmh=1 \\", line.Fields.Single(f => f.Key == "battery_id").Text);
    }

    [Fact]
    public void Keys_that_look_like_line_protocol_are_unknown_keys()
    {
        var (outcome, lines) = Decode(Telemetry, $$"""{"ts":{{Ts}},"speed_kmh,site=evil":1,"speed_kmh=1 x":1,"soc_pct":5}""");
        Assert.Equal(1, outcome.Points);
        Assert.DoesNotContain("evil", lines);
    }

    [Fact]
    public void Duplicate_keys_reject_the_object_even_when_one_is_escaped_or_a_vss_path()
    {
        Assert.Equal(0, Decode(Telemetry, $$"""{"ts":{{Ts}},"speed_kmh":1,"speed_kmh":2}""").Outcome.Points);
        Assert.Equal(0, Decode(Telemetry, $$"""{"ts":{{Ts}},"speed_kmh":1,"speed\u005fkmh":2}""").Outcome.Points);
        Assert.Equal(0, Decode(Telemetry, $$"""{"ts":{{Ts}},"speed_kmh":1,"Vehicle.Speed":2}""").Outcome.Points);
        Assert.Equal(0, Decode(Telemetry, $$"""{"ts":{{Ts}},"ts":{{Ts}},"speed_kmh":1}""").Outcome.Points);
    }

    [Fact]
    public void A_lone_surrogate_escape_in_a_string_or_key_does_not_throw()
    {
        Decode("fleet/bkk/h2bus/BUS-1/status", $$"""{"ts":{{Ts}},"fw":"\ud800","online":true}""");
        Decode(Telemetry, $$"""{"ts":{{Ts}},"battery_id":"\udc00x","speed_kmh":1}""");
        Decode(Telemetry, $$"""{"ts":{{Ts}},"\ud800":1,"speed_kmh":1}""");
    }

    [Theory]
    [InlineData("fleet/+/emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk/emoto/#")]
    [InlineData("fleet/bkk/emoto/+/telemetry")]
    [InlineData("fleet//emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk//EM-1/telemetry")]
    [InlineData("fleet/bkk/emoto//telemetry")]
    [InlineData("fleet/bkk/emoto/EM-1/")]
    [InlineData("/fleet/bkk/emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk/emoto/EM-1/telemetry/")]
    [InlineData("fleet/bkk/emoto/EM-1/telemetry/x")]
    [InlineData("fleet/bangkok-é/emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk/emoto/EM-１/telemetry")]
    [InlineData("fleet/bkk/emoto/EM 1/telemetry")]
    [InlineData("fleet/bkk/emoto/EM,site=x/telemetry")]
    [InlineData("fleet/BKK/emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk/Emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk/emoto/EM-1/Telemetry")]
    [InlineData("fleet/bkk\n/emoto/EM-1/telemetry")]
    [InlineData("fleet/bkk/emoto/EM-1\0/telemetry")]
    [InlineData("")]
    public void Topics_outside_the_contract_are_bad_topic(string topic)
    {
        var (outcome, lines) = Decode(topic, $$"""{"ts":{{Ts}},"speed_kmh":1}""");
        Assert.Equal(RejectReason.BadTopic, outcome.MessageRejection);
        Assert.Empty(lines);
    }

    private const string LineProtocol = "fleet/bkk/emoto/EM-1/lp";

    [Fact]
    public void Line_protocol_smuggled_through_a_string_or_a_tag_adds_no_point_field_or_tag()
    {
        // A newline ends the line wherever it is: the string is unterminated, and the message is not line protocol.
        Assert.Equal(RejectReason.BadPayload,
            Decode(LineProtocol, $"telemetry battery_id=\"x\ntelemetry,vehicle_id=EM-2 speed_kmh=250 {Ts}\" {Ts}").Outcome.MessageRejection);
        // Tags are refused and the topic's written; an escaped comma or equals sign stays inside its name.
        var (outcome, lines) = Decode(LineProtocol, $"telemetry,vehicle_id=EM-2,site=evil\\,kind\\=h2bus speed_kmh=1,lat\\,vehicle_id\\=EM-2=2 {Ts}");
        Assert.Equal(1, outcome.Points);
        Assert.Equal($"telemetry,kind=emoto,site=bkk,vehicle_id=EM-1 speed_kmh=1 {Ts}\n", lines);
    }

    [Fact]
    public void Line_protocol_of_a_quarter_megabyte_of_escapes_fields_or_lines_is_answered()
    {
        int size = DecoderFuzzTests.Options.MaxPayloadBytes - 64;
        string[] payloads =
        [
            "telemetry " + new string('\\', size) + "=1",
            $"events,type=fault message=\"{string.Concat(Enumerable.Repeat("\\\"", size / 2 - 16))}\" {Ts}",
            "telemetry " + string.Join(",", Enumerable.Repeat("speed_kmh=1", size / 12)) + " " + Ts,
            string.Concat(Enumerable.Repeat("telemetry lat=1\n", size / 16)),
            new string('\n', size),
            string.Concat(Enumerable.Repeat("#\r\n", size / 3)),
        ];
        foreach (var payload in payloads)
        {
            var outcome = Decode(LineProtocol, payload).Outcome;
            Assert.True(outcome.MessageRejection is not null || outcome.Points + outcome.ObjectsRejected == outcome.Objects);
        }
    }
}
