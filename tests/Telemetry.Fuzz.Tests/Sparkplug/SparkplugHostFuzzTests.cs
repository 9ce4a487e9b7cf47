using CsCheck;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace Telemetry.Fuzz.Tests.Sparkplug;

/// <summary>
/// Edge nodes that misbehave in every way at once, through the gateway's decoder: BIRTHs, DATA, DEATHs of a few
/// nodes and devices in random order, valid or mutated, with random aliases, datatypes and values. Nothing
/// throws, what is written is strict line protocol with only the contract's tags, and a message rejected whole
/// writes nothing.
/// </summary>
public sealed class SparkplugHostFuzzTests
{
    private static readonly long Iterations = Math.Max(1, DecoderFuzzTests.Iterations / 5);
    private static readonly string[] Types = ["NBIRTH", "NDATA", "NDEATH", "DBIRTH", "DDATA", "DDEATH"];
    private static readonly string[] Nodes = ["FL-1", "DEPOT-1"];
    private static readonly string[] Devices = ["FL-21", "FL-22"];

    private readonly SignalDefinition[] _signals = DecoderFuzzTests.Catalogue.Kinds.First(k => k.Name == "h2forklift").Telemetry.Signals.ToArray();
    private readonly HostilePayloads _hostile = new(poolSize: 200);

    [Fact]
    public void Misbehaving_edge_nodes_never_make_the_decoder_throw_or_write_anything_outside_the_contract()
    {
        var decoders = new ThreadLocal<(PayloadDecoder, LineBuffer)>(() => (new PayloadDecoder(DecoderFuzzTests.Catalogue, DecoderFuzzTests.Options), new LineBuffer(1 << 16)));
        long points = 0;
        Gen.Select(Gen.ULong, Gen.Int[0, Types.Length - 1], Gen.Int[0, 1], Gen.Int[0, 9]).Sample((seed, type, who, how) =>
        {
            var (decoder, output) = decoders.Value;
            var random = new Random((int)seed ^ (int)(seed >> 32));
            string node = Nodes[who], device = Devices[random.Next(Devices.Length)];
            string topic = $"spBv1.0/bkk/{Types[type]}/{node}" + (Types[type][0] == 'D' ? "/" + device : "");
            byte[] payload = how switch
            {
                < 3 => Birth(random),
                < 7 => Data(random),
                8 => _hostile.Build(seed, random.Next(100)),
                _ => Mutated(random, random.Next(2) == 0 ? Birth(random) : Data(random)),
            };
            output.Clear();
            var sink = new CountingSink();
            var outcome = decoder.Decode(topic, payload, retained: false, DecoderFuzzTests.Now, output, ref sink);
            var lines = StrictLineProtocol.ParseAll(output.WrittenSpan);
            if (lines.Count != outcome.Points || sink.Points != outcome.Points)
                throw new ContractViolation($"{lines.Count} lines, {sink.Points} points reported, outcome {outcome.Points}");
            if (outcome.MessageRejection is not null && lines.Count > 0) throw new ContractViolation("a rejected message wrote lines");
            foreach (var line in lines)
            {
                if (line.Measurement is not ("telemetry" or "status")) throw new ContractViolation($"measurement {line.Measurement}");
                // An NDEATH takes the node's devices offline with it: any of them may be named.
                var vehicles = Types[type] == "NDEATH" ? [node, .. Devices] : Types[type][0] == 'D' ? new[] { device } : [node];
                var tags = line.Tags.ToDictionary(t => t.Key, t => t.Value);
                if (tags.Count != 3 || tags.GetValueOrDefault("site") != "bkk" || tags.GetValueOrDefault("kind") is not ("h2forklift" or "emoto")
                    || !vehicles.Contains(tags.GetValueOrDefault("vehicle_id")))
                    throw new ContractViolation($"tags {string.Join(",", line.Tags)} on {topic}");
            }
            Interlocked.Add(ref points, outcome.Points);
        }, iter: Iterations, print: c => $"seed={c.Item1} type={Types[c.Item2]} node={Nodes[c.Item3]} how={c.Item4}");
        Assert.True(points > 0, "nothing was ever written: the generator does not reach the writing path");
    }

    private byte[] Birth(Random random)
    {
        var payload = new Payload { Timestamp = (ulong)(DecoderFuzzTests.Now - random.Next(100_000)), Seq = random.Next(4) == 0 ? (ulong)random.Next(256) : 0 };
        payload.Metrics.Add(new Metric { Name = "bdSeq", Datatype = 8, LongValue = (ulong)random.Next(3) });
        if (random.Next(10) > 0) payload.Metrics.Add(new Metric { Name = "kind", Datatype = 12, StringValue = random.Next(20) == 0 ? "emoto" : "h2forklift" });
        for (int alias = 1; alias <= _signals.Length; alias++)
        {
            if (random.Next(5) == 0) continue;
            var signal = _signals[alias - 1];
            string name = random.Next(3) == 0 && signal.Path is not null ? signal.Path.Replace('.', '/') : signal.Key;
            payload.Metrics.Add(new Metric { Name = name, Alias = (ulong)alias, Datatype = DataTypeOf(random, signal) });
        }
        return payload.ToByteArray();
    }

    private byte[] Data(Random random)
    {
        var payload = new Payload { Timestamp = (ulong)(DecoderFuzzTests.Now - random.Next(100_000)), Seq = (ulong)random.Next(256) };
        for (int i = random.Next(0, 12); i > 0; i--)
        {
            int alias = random.Next(1, _signals.Length + 3);
            var metric = new Metric { Alias = (ulong)alias };
            if (random.Next(4) == 0) metric.Timestamp = (ulong)(DecoderFuzzTests.Now - random.Next(1_000_000_000));
            if (random.Next(20) == 0) metric.IsNull = true;
            if (random.Next(5) == 0) metric.Datatype = (uint)random.Next(0, 20);
            switch (random.Next(7))
            {
                case 0: metric.FloatValue = (float)(random.NextDouble() * 300 - 20); break;
                case 1: metric.DoubleValue = random.Next(10) == 0 ? double.NaN : random.NextDouble() * 300; break;
                case 2: metric.IntValue = (uint)random.Next(); break;
                case 3: metric.LongValue = (ulong)random.NextInt64(); break;
                case 4: metric.BooleanValue = random.Next(2) == 0; break;
                case 5: metric.StringValue = random.Next(3) switch { 0 => "run", 1 => "a\nb", _ => "x,y=z \"q\"" }; break;
                default: metric.BytesValue = ByteString.CopyFrom(1, 2); break;
            }
            if (random.Next(15) == 0) metric.Name = _signals[random.Next(_signals.Length)].Key;
            payload.Metrics.Add(metric);
        }
        return payload.ToByteArray();
    }

    private static uint DataTypeOf(Random random, SignalDefinition signal) => random.Next(8) == 0 ? (uint)random.Next(1, 20) : signal.Type switch
    {
        SignalType.Float => random.Next(2) == 0 ? 9u : 10u,
        SignalType.Int => (uint)random.Next(1, 9),
        SignalType.Bool => 11u,
        _ => 12u,
    };

    private static byte[] Mutated(Random random, byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        if (copy.Length == 0) return copy;
        for (int i = random.Next(1, 4); i > 0; i--) copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return random.Next(4) == 0 ? copy[..random.Next(copy.Length)] : copy;
    }
}
