using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Xunit.Abstractions;

namespace Telemetry.Fuzz.Tests.LineProtocol;

/// <summary>
/// A million line-protocol payloads on stream <c>lp</c>, built from the catalogue with hostile keys, tags, strings,
/// escapes, line ends and timestamps, and often mutated at byte level. Nothing throws; the output is strict line
/// protocol with only the contract's tags and catalogue fields (<see cref="ContractOracle"/>); and every point written
/// comes from one line the reference reading (<see cref="ReferenceLineProtocol"/>) finds in the input, with that line's
/// measurement, time, event type and values: an injection cannot add a point, a field or a tag. A payload the reference
/// cannot read is rejected whole, and one it can read is not.
/// </summary>
public sealed class LineProtocolFuzzTests(ITestOutputHelper output)
{
    private static readonly long Iterations = DecoderFuzzTests.Iterations;
    private static readonly SignalCatalogue Catalogue = DecoderFuzzTests.Catalogue;
    private const long Now = DecoderFuzzTests.Now;

    private static readonly string[] NastyNames =
        ["site", "kind", "vehicle_id", "type", "n", "seq", "time", "_x", "a b", "a,b", "a=b", "speed_kmh,vehicle_id=EVIL", "speed_kmh\n", "lat\\", "\"", "💥", "\\", " ", "#"];
    private static readonly string[] NastyStrings =
        ["", "\n", "a\nb", "x\" speed_kmh=250,vehicle_id=EVIL 1", "\\", "\\\"", "\"", "telemetry,site=x speed_kmh=1 1795593600000", "\u0085", "\r", "\0", "💥", " , = ", new string('x', 300), "run"];
    private static readonly string[] NastyMeasurements = ["weather", "Telemetry", "tele\\ metry", "events\\,x", "", "#telemetry", "status="];

    [Fact]
    public void A_million_payloads_never_throw_and_write_only_what_the_input_lines_say_with_the_contracts_tags()
    {
        var oracle = new ContractOracle(Catalogue, Now, DecoderFuzzTests.Options);
        var perThread = new ThreadLocal<(PayloadDecoder Decoder, LineBuffer Output)>(() => (new PayloadDecoder(Catalogue, DecoderFuzzTests.Options), new LineBuffer(1 << 20)));
        var kinds = Catalogue.Kinds;
        long points = 0, rejectedWhole = 0;
        var stopwatch = Stopwatch.StartNew();

        Gen.Select(Gen.ULong, Gen.Int[0, kinds.Count - 1], Gen.Int[0, 3]).Sample((seed, kindIndex, mutation) =>
        {
            var random = new Random((int)seed ^ (int)(seed >> 32));
            var kind = kinds[kindIndex];
            var payload = Payload(random, kind);
            if (mutation == 0) payload = Mutate(random, payload);
            string topic = $"fleet/bkk/{kind.Name}/V-1/lp";
            var (decoder, buffer) = perThread.Value;
            buffer.Clear();
            var sink = new IndexSink { Indexes = [] };
            var outcome = decoder.Decode(topic, payload, retained: false, Now, buffer, ref sink);
            oracle.Check(topic, outcome, buffer.WrittenSpan);
            CheckAgainstInput(kind, payload, outcome, StrictLineProtocol.ParseAll(buffer.WrittenSpan), sink.Indexes);
            Interlocked.Add(ref points, outcome.Points);
            if (outcome.MessageRejection is not null) Interlocked.Increment(ref rejectedWhole);
        }, iter: Iterations, print: c => $"seed={c.Item1} kind={c.Item2} mutation={c.Item3}");

        output.WriteLine($"{Iterations:N0} payloads in {stopwatch.Elapsed.TotalSeconds:F1} s: {points:N0} points written, {rejectedWhole:N0} rejected whole");
        Assert.True(points > Iterations / 4, "too few points: the generator is not exercising the output path");
        Assert.True(rejectedWhole > Iterations / 20, "too few unreadable payloads: the generator is not exercising the syntax");
    }

    private struct IndexSink : IDecodeSink
    {
        public List<int> Indexes;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Indexes.Add(objectIndex);
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) { }
    }

    private static void CheckAgainstInput(KindDefinition kind, byte[] payload, DecodeOutcome outcome, List<ParsedLine> written, List<int> indexes)
    {
        var input = ReferenceLineProtocol.Parse(payload);
        if (input is null)
        {
            if (outcome.MessageRejection != RejectReason.BadPayload) Fail($"a payload that is not line protocol was {outcome.MessageRejection?.Name() ?? "read"}");
            return;
        }
        if (outcome.MessageRejection is { } reason) Fail($"a payload of line protocol was rejected whole: {reason.Name()}");
        if (indexes.Count != written.Count || indexes.Distinct().Count() != indexes.Count) Fail($"{written.Count} lines for points of lines {string.Join(",", indexes)}");
        var byIndex = input.ToDictionary(l => l.Index);
        for (int k = 0; k < written.Count; k++)
        {
            var line = written[k];
            if (!byIndex.TryGetValue(indexes[k], out var source)) Fail($"a point from line {indexes[k]}, which has none");
            if (line.Measurement != source!.Measurement) Fail($"measurement {line.Measurement} from a line of {source.Measurement}");
            long expectedTs = Now;
            if (source.Timestamp is not null && !long.TryParse(source.Timestamp, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out expectedTs))
                Fail($"a point from a line whose time is '{source.Timestamp}'");
            if (line.Timestamp != expectedTs) Fail($"time {line.Timestamp}, the line says {source.Timestamp ?? "none"}");
            var fields = line.Measurement switch { "events" => Catalogue.EventFields, "status" => Catalogue.StatusFields, _ => kind.Telemetry };
            if (line.Measurement == "events")
            {
                string type = line.Tags[2].Value;
                int named = source.Tags.Count(t => t.Key == "type" && t.Value == type) + source.Fields.Count(f => f.Key == "type" && f.Value as string == type);
                if (named != 1) Fail($"event type {type} named {named} times in its line");
            }
            foreach (var field in line.Fields) CheckField(field, source, fields, line.Measurement);
        }
    }

    /// <summary>The field is one of its line's, by key or VSS path, with the same value (a path's divided by its divisor).</summary>
    private static void CheckField(ParsedField field, ReferenceLine source, FieldSet fields, string measurement)
    {
        if (measurement == "events" && field.Key == "n") return; // the contract's "no fields"
        var signal = fields.Signals.FirstOrDefault(s => s.Key == field.Key);
        var matches = source.Fields.Where(f => f.Key == field.Key || (signal?.Path is { } path && f.Key == path)).ToList();
        if (matches.Count != 1) Fail($"field {field.Key} from {matches.Count} fields of its line");
        var (key, value) = matches[0];
        double divisor = signal is not null && key == signal.Path ? signal.PathDivisor : 1;
        bool same = field.Kind switch
        {
            FieldKind.Float => double.Parse(field.Text, CultureInfo.InvariantCulture) == value switch
            {
                double d => d / divisor,
                long l => l / divisor,
                ulong u => u / divisor,
                _ => double.NaN,
            },
            FieldKind.Integer => long.Parse(field.Text, CultureInfo.InvariantCulture) is var i
                && (value is long l && l == i || value is ulong u && u == (ulong)i || value is double d && d == i),
            FieldKind.Bool => value is bool b ? (b ? "true" : "false") == field.Text
                : value is string s && signal?.PathStrings is { } strings && strings.TryGetValue(s, out bool mapped) && (mapped ? "true" : "false") == field.Text,
            _ => value is string text && text == field.Text,
        };
        if (!same) Fail($"{field.Key}={field.Text} from {key}={value}");
    }

    private static void Fail(string message) => throw new ContractViolation(message);

    private static byte[] Payload(Random random, KindDefinition kind)
    {
        var text = new StringBuilder();
        if (random.Next(30) == 0) text.Append('\uFEFF');
        string newline = random.Next(3) == 0 ? "\r\n" : "\n";
        for (int i = random.Next(0, 7); i > 0; i--)
        {
            switch (random.Next(12))
            {
                case 0: text.Append("# ").Append(Pick(random, NastyStrings)); break;
                case 1: text.Append(random.Next(2) == 0 ? "" : " \t"); break;
                default: Line(random, kind, text); break;
            }
            if (i > 1 || random.Next(2) == 0) text.Append(newline);
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void Line(Random random, KindDefinition kind, StringBuilder line)
    {
        int m = random.Next(100);
        string measurement = m < 66 ? "telemetry" : m < 83 ? "events" : m < 99 ? "status" : Pick(random, NastyMeasurements);
        var fields = measurement switch { "events" => Catalogue.EventFields, "status" => Catalogue.StatusFields, _ => kind.Telemetry };
        line.Append(measurement);
        if (random.Next(5) == 0)
            for (int t = random.Next(1, 4); t > 0; t--)
                line.Append(',').Append(Name(random, Pick(random, NastyNames))).Append('=').Append(Name(random, random.Next(3) == 0 ? Pick(random, NastyStrings) : "EVIL"));
        if (measurement == "events" && random.Next(6) > 0)
            line.Append(",type=").Append(Name(random, random.Next(10) == 0 ? Pick(random, NastyStrings) : Catalogue.EventTypes[random.Next(Catalogue.EventTypes.Count)]));
        line.Append(' ');
        for (int f = random.Next(1, 8); f > 0; f--)
        {
            var signal = fields.Signals[random.Next(fields.Signals.Count)];
            string key = random.Next(15) switch
            {
                0 => Pick(random, NastyNames),
                1 => "seq",
                2 when signal.Path is not null => signal.Path,
                _ => signal.Key,
            };
            line.Append(Name(random, key)).Append('=').Append(Value(random, signal));
            if (f > 1) line.Append(',');
        }

        switch (random.Next(20))
        {
            case 0: break;
            case 1: line.Append(' ').Append(Now - 8L * 86_400_000); break;
            case 2: line.Append(' ').Append(Now * 1_000_000); break;
            case 3: line.Append(' ').Append(Pick(random, ["12.5", "abc", "", "1 2", "-1", "99999999999999999999", "1795593600000 "])); break;
            default: line.Append(' ').Append(Now - random.Next(0, 86_400_000)); break;
        }
    }

    /// <summary>A name as line protocol escapes it, or (sometimes) not escaped at all.</summary>
    private static string Name(Random random, string name)
    {
        if (random.Next(40) == 0) return name;
        var escaped = new StringBuilder();
        foreach (char c in name)
        {
            if (c is ',' or '=' or ' ' || (c == '\\' && random.Next(2) == 0)) escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static string Value(Random random, SignalDefinition signal)
    {
        // Rare enough that most payloads stay readable: one bad value makes the whole message bad_payload.
        switch (random.Next(200))
        {
            case 0 or 1 or 2: return Quoted(random, Pick(random, NastyStrings));
            case 3 or 4 or 5: return Pick(random, ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE", "yes", "tru"]);
            case 6: return Pick(random, ["NaN", "inf", "1e999", "-", ".", "1.2.3", "0x10", "+1", "1i2", "1.5i", "-1u", "1e", "18446744073709551615u", "99999999999999999999i", "05", ".5", "5.", "-0"]);
        }
        switch (signal.Type)
        {
            case SignalType.Bool:
                return random.Next(2) == 0 ? "true" : "F";
            case SignalType.String:
                return Quoted(random, signal.AllowedValues is { Count: > 0 } allowed ? allowed[random.Next(allowed.Count)] : "BP-" + random.Next(1000));
            default:
                double low = Math.Max(signal.Min, -1e6), high = Math.Min(signal.Max, 1e6);
                double value = low + (high - low) * (random.NextDouble() * 1.2 - 0.1);
                return random.Next(5) switch
                {
                    0 => $"{(long)value}i",
                    1 when value >= 0 => $"{(ulong)value}u",
                    2 => value.ToString("E3", CultureInfo.InvariantCulture),
                    3 => ((long)value).ToString(CultureInfo.InvariantCulture),
                    _ => Math.Round(value, random.Next(0, 6)).ToString("0.#####", CultureInfo.InvariantCulture),
                };
        }
    }

    private static string Quoted(Random random, string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (char c in text)
        {
            if (c is '"' || (c == '\\' && random.Next(3) > 0)) quoted.Append('\\');
            quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static readonly byte[] Hostile = "\n\r\\\", =#i u.-0e"u8.ToArray();

    private static byte[] Mutate(Random random, byte[] payload)
    {
        var bytes = new List<byte>(payload);
        for (int edits = random.Next(1, 4); edits > 0; edits--)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                case 2: bytes.Insert(at, Hostile[random.Next(Hostile.Length)]); break;
                case 3 when bytes.Count > 0: bytes.RemoveRange(at, random.Next(1, Math.Min(8, bytes.Count - at) + 1)); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return bytes.ToArray();
    }
}
