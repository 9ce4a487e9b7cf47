using System.Globalization;
using System.Text;
using CsCheck;
using Telemetry.Contract.Catalogue;

namespace Telemetry.Fuzz.Tests;

public sealed record FuzzCase(string Topic, byte[] Payload)
{
    public override string ToString() =>
        $"topic={Escape(Topic)} payload({Payload.Length} B)={Escape(Encoding.UTF8.GetString(Payload, 0, Math.Min(Payload.Length, 400)))}";

    private static string Escape(string s) => string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}

/// <summary>
/// Generators of hostile input: topics valid or mutated (wildcards, empty segments, non-ASCII, separators),
/// payloads built from the catalogue (right and wrong types, out-of-range and nasty values, escaped and
/// duplicate keys, batches) then mutated at byte level (flips, inserted tokens, cuts, splices), or pure noise.
/// </summary>
public sealed class FuzzInputs(SignalCatalogue catalogue, long nowMs)
{
    private static readonly string[] Sites = ["bkk", "amata-chonburi", "laem-chabang", "a", new string('s', 32), "0-9"];
    private static readonly string[] VehicleIds = ["EM-000123", "FL-07", "x", "a.b_c-D", new string('v', 64), "BUS.7"];
    private static readonly string[] Streams = ["telemetry", "event", "status"];
    private static readonly string[] NastySegments =
    [
        "", "+", "#", "é", "ก", "\0", " ", ",", "=", "\"", "\n", "a/b", "EM 1", "A,b=c", "x=y", "\\", new string('v', 65), new string('s', 33),
        "Emoto", "telemetry ", "\uFEFF", "bkk\r", "$SYS", "%00", "EM-1\u200B", "💥", "\ud800",
    ];

    private static readonly string[] Tokens =
    [
        "NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "-0", "-0.0", "0e0", "1E5", "12345678901234567890123", "-9223372036854775809",
        "null", "true", "false", "\"\"", "{}", "[]", "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\n", "\\ud800", "\\\"",
        "\"ts\"", "\"seq\"", "\"type\"", "\"speed_kmh\"", "\"Vehicle.Speed\"", " ", "\n", "\t", "\u0000", "\uFEFF", "é", "💥",
    ];

    /// <summary>Hostile but valid JSON values: these keep the message alive, so the output path gets exercised.</summary>
    private static readonly string[] ValueTokens =
    [
        "1e400", "-1e400", "1e-400", "-0", "-0.0", "0e0", "1E5", "12345678901234567890123", "-9223372036854775809", "null", "true", "false",
        "\"\"", "{}", "[]", "\"NaN\"", "\"Infinity\"", "\"\\u0000\"", "\"\\n\"", "[1,[2,{}]]", "{\"ts\":1}", "0.1e1", "-5e-324", "1.7976931348623157e308",
    ];

    private static readonly byte[][] RawBytes = [[0xC0, 0x80], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x00], [0xEF, 0xBB, 0xBF]];

    private readonly string[] _kinds = catalogue.Kinds.Select(k => k.Name).ToArray();

    public Gen<string> Topic => Gen.Frequency(
        (6, ValidTopic),
        (3, Gen.Select(ValidTopic, Gen.Int[0, 5], Gen.Int[0, NastySegments.Length - 1], Gen.Int[0, 2], MutateTopic)),
        (1, Gen.String));

    private Gen<string> ValidTopic => Gen.Select(Gen.Int[0, Sites.Length - 1], Gen.Int[0, _kinds.Length - 1], Gen.Int[0, VehicleIds.Length - 1],
        Gen.Int[0, Streams.Length - 1], (s, k, v, st) => $"fleet/{Sites[s]}/{_kinds[k]}/{VehicleIds[v]}/{Streams[st]}");

    private static string MutateTopic(string topic, int segment, int nasty, int how)
    {
        var parts = topic.Split('/').ToList();
        segment = Math.Min(segment, parts.Count - 1);
        switch (how)
        {
            case 0: parts[segment] = NastySegments[nasty]; break;
            case 1: parts[segment] += NastySegments[nasty]; break;
            default: parts.Insert(segment, NastySegments[nasty]); break;
        }
        return string.Join('/', parts);
    }

    /// <summary>A payload for <paramref name="topic"/>: 5 built from the catalogue, 4 of those mutated, 1 noise.</summary>
    public Gen<FuzzCase> Case => Gen.Select(Topic, Gen.ULong, Gen.Int[0, 9], Build);

    public FuzzCase Build(string topic, ulong seed, int strategy)
    {
        var random = new Random((int)seed ^ (int)(seed >> 32));
        byte[] payload = strategy switch
        {
            < 5 => Encoding.UTF8.GetBytes(Payload(random, topic)),
            < 9 => Mutate(random, Encoding.UTF8.GetBytes(Payload(random, topic))),
            _ => Noise(random),
        };
        return new FuzzCase(topic, payload);
    }

    private string Payload(Random random, string topic)
    {
        var parts = topic.Split('/');
        var kind = parts.Length > 2 ? catalogue.Kinds.FirstOrDefault(k => k.Name == parts[2]) : null;
        string stream = parts.Length > 4 ? parts[4] : "telemetry";
        var fields = stream switch { "event" => catalogue.EventFields, "status" => catalogue.StatusFields, _ => (kind ?? catalogue.Kinds[0]).Telemetry };
        int objects = random.Next(50) switch { < 30 => 0, < 49 => random.Next(1, 6), _ => random.Next(50, 2000) };
        if (objects == 0) return Object(random, fields, stream);
        var batch = new StringBuilder("[");
        // A few distinct objects repeated: a large batch without the cost of generating each member.
        var distinct = Enumerable.Range(0, Math.Min(objects, 8)).Select(_ => Object(random, fields, stream)).ToArray();
        for (int i = 0; i < objects && batch.Length < 300_000; i++) batch.Append(i == 0 ? "" : ",").Append(distinct[i % distinct.Length]);
        return batch.Append(']').ToString();
    }

    private string Object(Random random, FieldSet fields, string stream)
    {
        var o = new StringBuilder("{");
        void Member(string key, string value) => o.Append(o.Length > 1 ? "," : "").Append(Quote(key)).Append(':').Append(value);
        if (random.Next(5) > 0) Member("ts", Ts(random));
        if (random.Next(3) == 0) Member("seq", random.Next(4) == 0 ? ValueToken(random) : random.NextInt64(-5, 5_000_000_000).ToString(CultureInfo.InvariantCulture));
        if (stream == "event" && random.Next(5) > 0)
            Member("type", random.Next(6) == 0 ? Quote(ValueToken(random)) : Quote(catalogue.EventTypes[random.Next(catalogue.EventTypes.Count)]));
        // Distinct signals (a repeated key rejects the whole object), with now and then a deliberate duplicate.
        var order = Enumerable.Range(0, fields.Signals.Count).OrderBy(_ => random.Next()).Take(random.Next(0, 12)).ToList();
        if (order.Count > 0 && random.Next(20) == 0) order.Add(order[0]);
        foreach (int index in order)
        {
            var signal = fields.Signals[index];
            string key = random.Next(12) switch
            {
                0 => signal.Path ?? signal.Key,
                1 => "unknown_" + random.Next(100),
                2 => new string('k', random.Next(200, 2000)),
                3 => signal.Key.Replace("_", "\\u005f"), // the same key, JSON-escaped (Quote leaves \u alone)
                4 => catalogue.Kinds[random.Next(catalogue.Kinds.Count)].Telemetry.Signals[0].Key,
                5 => signal.Key + ",site=evil",
                _ => signal.Key,
            };
            Member(key, random.Next(100) switch { 0 => Token(random), < 15 => AnyValue(random, depth: 0), _ => ValueFor(random, signal) });
        }
        return o.Append('}').ToString();
    }

    private string Ts(Random random) => random.Next(8) switch
    {
        0 => Quote(DateTimeOffset.FromUnixTimeMilliseconds(nowMs - random.Next(0, 600_000)).ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture)),
        1 => ValueToken(random),
        2 => (nowMs + random.NextInt64(-30L * 86_400_000, 30L * 86_400_000)).ToString(CultureInfo.InvariantCulture),
        3 => Quote("2026-11-25T15:00:00" + Token(random)),
        4 => Quote(DateTimeOffset.FromUnixTimeMilliseconds(nowMs).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)), // no offset
        _ => (nowMs - random.Next(0, 3_600_000)).ToString(CultureInfo.InvariantCulture),
    };

    private static string ValueFor(Random random, SignalDefinition signal) => signal.Type switch
    {
        SignalType.Float => random.Next(5) switch
        {
            0 => Number(random.NextDouble() * 1e6 - 5e5),
            1 => ValueToken(random),
            _ => Number(Lerp(random, Finite(signal.Min, -1e6), Finite(signal.Max, 1e6))),
        },
        SignalType.Int => random.Next(4) == 0 ? Number(random.NextDouble() * 300) : random.Next(-10, 300).ToString(CultureInfo.InvariantCulture),
        SignalType.Bool => random.Next(4) switch { 0 => "\"ON\"", 1 => "1", 2 => "false", _ => "true" },
        _ => signal.AllowedValues is { Count: > 0 } allowed && random.Next(3) > 0 ? Quote(allowed[random.Next(allowed.Count)]) : NastyString(random),
    };

    private static string AnyValue(Random random, int depth) => random.Next(depth > 3 ? 4 : 7) switch
    {
        0 => ValueToken(random),
        1 => NastyString(random),
        2 => Number(random.NextDouble() * Math.Pow(10, random.Next(-30, 30))),
        3 => random.Next(2) == 0 ? "null" : "true",
        4 => "{" + Quote("k") + ":" + AnyValue(random, depth + 1) + "}",
        5 => "[" + AnyValue(random, depth + 1) + "," + AnyValue(random, depth + 1) + "]",
        _ => random.Next(2) == 0 ? new string('[', 70) + new string(']', 70) : new string('[', 20) + new string(']', 20),
    };

    private static string NastyString(Random random) => random.Next(9) switch
    {
        0 => "\"BP-\\\"88\\\" \\\\x, y=z\"",
        1 => "\"line\\nbreak\"",
        2 => "\"nul\\u0000byte\"",
        3 => random.Next(100) == 0 ? HugeString : "\"" + new string('x', random.Next(60, 2000)) + "\"",
        4 => "\"ไทย 💥 é\"",
        5 => random.Next(4) == 0 ? "\"raw\ttab\"" : "\"tab\\there\"",
        6 => "\"\\ud800\"",
        7 => "\"" + new string('é', random.Next(60, 70)) + "\"",
        _ => "\"ok-" + random.Next(1000) + "\"",
    };

    private static readonly string HugeString = "\"" + new string('x', 300_000) + "\"";
    private static string Token(Random random) => Tokens[random.Next(Tokens.Length)];
    private static string ValueToken(Random random) => ValueTokens[random.Next(ValueTokens.Length)];
    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\\\\u005f", "\\u005f").Replace("\"", "\\\"") + "\"";
    private static double Finite(double value, double fallback) => double.IsFinite(value) ? value : fallback;
    private static double Lerp(Random random, double min, double max) => min + (max - min) * (random.NextDouble() * 1.2 - 0.1);
    private static string Number(double value) => value.ToString(value.GetHashCode() % 3 == 0 ? "E3" : "R", CultureInfo.InvariantCulture);

    private static byte[] Mutate(Random random, byte[] payload)
    {
        var bytes = new List<byte>(payload);
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes.InsertRange(at, Encoding.UTF8.GetBytes(Token(random))); break;
                case 2: bytes.InsertRange(at, RawBytes[random.Next(RawBytes.Length)]); break;
                case 3 when bytes.Count > 0: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 16))); break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break; // truncate
                case 5 when bytes.Count > 0:
                    int length = Math.Min(bytes.Count - at, random.Next(1, 64));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length)); // splice a copy elsewhere
                    break;
                default: bytes.Insert(at, (byte)random.Next(256)); break;
            }
        }
        return bytes.ToArray();
    }

    private static byte[] Noise(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        if (bytes.Length > 0 && random.Next(2) == 0) bytes[0] = (byte)(random.Next(2) == 0 ? '{' : '[');
        return bytes;
    }
}
