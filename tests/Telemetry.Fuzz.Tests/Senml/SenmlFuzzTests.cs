using System.Diagnostics;
using CsCheck;
using Senml.TestEncoder;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Xunit.Abstractions;

namespace Telemetry.Fuzz.Tests.Senml;

/// <summary>
/// A million SenML packs per encoding, built from the catalogue (names by key and VSS path, base fields, right and
/// wrong units, types and times) by the test encoder, then often mutated at byte level: nothing throws, and whatever
/// comes out is strict line protocol with one line per point and only the contract's tags and fields.
/// </summary>
public sealed class SenmlFuzzTests(ITestOutputHelper output)
{
    private static readonly long Iterations = DecoderFuzzTests.Iterations;
    private static readonly SignalCatalogue Catalogue = DecoderFuzzTests.Catalogue;
    private const long Now = DecoderFuzzTests.Now;

    private static readonly string[] Units = ["km/h", "deg", "m", "%", "%EL", "V", "A", "Cel", "kW", "kg", "MPa", "g/s", "1/min", "h", "", "K", "m/s", "\n", "km"];
    private static readonly string[] Nasty = ["", "\n", "a\nb", "x,y=z", "\"", "\\", "\u0085", "💥", "\u0000", "telemetry,site=x", " ", new string('x', 300)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_million_packs_never_throw_and_always_give_strict_line_protocol_with_only_contract_tags_and_fields(bool cbor)
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
            var payload = Pack(random, kind, cbor);
            if (mutation == 0) payload = Mutate(random, payload);
            string topic = $"fleet/bkk/{kind.Name}/V-1/{(cbor ? "senml-cbor" : "senml")}";
            var (decoder, buffer) = perThread.Value;
            buffer.Clear();
            var sink = new CountingSink();
            var outcome = decoder.Decode(topic, payload, retained: false, Now, buffer, ref sink);
            oracle.Check(topic, outcome, buffer.WrittenSpan);
            if (sink.Points != outcome.Points) throw new ContractViolation($"sink saw {sink.Points} points, outcome says {outcome.Points}");
            Interlocked.Add(ref points, outcome.Points);
            if (outcome.MessageRejection is not null) Interlocked.Increment(ref rejectedWhole);
        }, iter: Iterations, print: c => $"seed={c.Item1} kind={c.Item2} mutation={c.Item3}");

        output.WriteLine($"{Iterations:N0} {(cbor ? "CBOR" : "JSON")} packs in {stopwatch.Elapsed.TotalSeconds:F1} s: {points:N0} points written, {rejectedWhole:N0} rejected whole");
        Assert.True(points > Iterations / 4, "too few packs wrote a point: the generator is not exercising the output path");
    }

    private static byte[] Pack(Random random, KindDefinition kind, bool cbor)
    {
        var signals = kind.Telemetry.Signals;
        var records = new List<SenmlRecord>();
        for (int i = random.Next(0, 12); i > 0; i--)
        {
            var record = new SenmlRecord();
            var signal = signals[random.Next(signals.Count)];
            bool byPath = signal.Path is not null && random.Next(3) == 0;
            string name = byPath ? signal.Path! : signal.Key;
            if (random.Next(6) == 0)
            {
                int cut = random.Next(name.Length + 1);
                record.Add("bn", name[..cut]);
                name = name[cut..];
            }
            if (random.Next(5) == 0) record.Add("bt", random.Next(4) switch { 0 => Now / 1000.0, 1 => random.Next(-100, 100), 2 => double.MaxValue, _ => Now / 1000.0 - random.Next(0, 900_000) });
            if (random.Next(20) == 0) record.Add("bv", random.NextDouble() * 10);
            if (random.Next(20) == 0) record.Add("bver", (long)random.Next(0, 13));
            record.Add("n", random.Next(25) == 0 ? Nasty[random.Next(Nasty.Length)] : random.Next(25) == 0 ? "seq" : name);
            if (random.Next(3) == 0) record.Add("u", random.Next(2) == 0 && signal.Unit is not null ? UnitOf(signal.Unit) : Units[random.Next(Units.Length)]);
            if (random.Next(3) == 0) record.Add("t", (double)random.Next(-5, 5));
            switch (random.Next(10))
            {
                case 0: record.Add("vb", random.Next(2) == 0); break;
                case 1: record.Add("vs", random.Next(2) == 0 ? Nasty[random.Next(Nasty.Length)] : "run"); break;
                case 2: record.Add("vd", new byte[] { 1 }); break;
                case 3: record.Add("v", random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => 1e300 }); break;
                case 4: break;
                default:
                    double value = signal.Min is > -1e9 && signal.Max < 1e9 ? signal.Min + (signal.Max - signal.Min) * (random.NextDouble() * 1.2 - 0.1) : random.Next(0, 300);
                    record.Add("v", random.Next(3) == 0 ? (object)(long)value : value);
                    break;
            }
            if (random.Next(200) == 0) record.Add("v", 1.0); // a label twice
            records.Add(record);
        }
        if (!cbor) return SenmlEncoder.Json(records);
        return SenmlEncoder.Cbor(records, textLabels: random.Next(8) == 0, indefinite: random.Next(4) == 0);
    }

    private static string UnitOf(string catalogueUnit) => catalogueUnit switch { "degC" => "Cel", "rpm" => "1/min", _ => catalogueUnit };

    private static byte[] Mutate(Random random, byte[] payload)
    {
        var bytes = new List<byte>(payload);
        for (int edits = random.Next(1, 4); edits > 0; edits--)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                case 2 when bytes.Count > 0: bytes.RemoveRange(at, random.Next(1, Math.Min(8, bytes.Count - at) + 1)); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return bytes.ToArray();
    }
}
