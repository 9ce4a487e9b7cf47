using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Sparkplug.TestEncoder;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace Telemetry.Fuzz.Tests.Sparkplug;

/// <summary>
/// Hostile Sparkplug payloads, each from a seed: valid payloads (random metrics of every datatype,
/// encoded by Google.Protobuf) mutated at byte level, payloads built to break one rule (truncated
/// varints, lengths past the end, wrong wire types, bad tags, deep Template / PropertySet / DataSet
/// nesting, huge arrays), and noise.
/// </summary>
public sealed class HostilePayloads
{
    public const int Limit = 10_000; // SparkplugLimits' defaults for MaxMetrics and MaxElements

    public const int MaxNesting = 120;

    private readonly byte[][] _valid;
    private readonly byte[][] _deep; // built once: building a chain of 100 messages costs a millisecond
    private readonly byte[][] _huge;

    public HostilePayloads(int poolSize = 2000)
    {
        var random = new Random(20261203);
        var encoder = new RandomPayloads(random);
        _valid = Enumerable.Range(0, poolSize).Select(_ => encoder.Payload().ToByteArray()).ToArray();
        _deep = Enumerable.Range(0, 3 * MaxNesting).Select(i => DeepNesting(i % 3, 1 + i / 3)).ToArray();
        _huge = Enumerable.Range(0, 16).Select(i => HugeArray(i % 4, Limit - 1 + i / 4)).ToArray();
    }

    public enum Strategy { Valid, Mutated, Spliced, TruncatedVarint, LengthPastEnd, WrongWireType, BadTag, DeepNesting, HugeArray, Noise }

    public byte[] Build(ulong seed, int pick)
    {
        var random = new Random((int)seed ^ (int)(seed >> 32));
        var strategy = pick switch
        {
            < 10 => Strategy.Valid,
            < 55 => Strategy.Mutated,
            < 62 => Strategy.Spliced,
            < 70 => Strategy.TruncatedVarint,
            < 78 => Strategy.LengthPastEnd,
            < 86 => Strategy.WrongWireType,
            < 90 => Strategy.BadTag,
            < 96 => Strategy.DeepNesting,
            < 97 => random.Next(20) == 0 ? Strategy.HugeArray : Strategy.Noise,
            _ => Strategy.Noise,
        };
        return Build(random, strategy);
    }

    public byte[] Build(Random random, Strategy strategy) => strategy switch
    {
        Strategy.Valid => Pick(random),
        Strategy.Mutated => Mutate(random, Pick(random)),
        Strategy.Spliced => Splice(random, Pick(random), Pick(random)),
        Strategy.TruncatedVarint => TruncatedVarint(random),
        Strategy.LengthPastEnd => LengthPastEnd(random),
        Strategy.WrongWireType => WrongWireType(random),
        Strategy.BadTag => BadTag(random),
        Strategy.DeepNesting => random.Next(4) == 0 ? Mutate(random, _deep[random.Next(_deep.Length)]) : _deep[random.Next(_deep.Length)],
        Strategy.HugeArray => _huge[random.Next(_huge.Length)],
        _ => Noise(random),
    };

    private byte[] Pick(Random random) => _valid[random.Next(_valid.Length)];

    private static byte[] Splice(Random random, byte[] head, byte[] tail) => [.. head.AsSpan(0, random.Next(head.Length + 1)), .. tail.AsSpan(random.Next(tail.Length + 1))];

    private byte[] Mutate(Random random, byte[] original)
    {
        var bytes = new List<byte>(original);
        for (int edits = random.Next(1, 5); edits > 0; edits--)
        {
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(7))
            {
                case 0 when at < bytes.Count: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when at < bytes.Count: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.RemoveRange(at, bytes.Count - at); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 6)).Select(_ => (byte)random.Next(256))); break;
                case 4 when at < bytes.Count: bytes[at] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x80; break;
                case 5 when at < bytes.Count:
                    int length = random.Next(1, Math.Min(16, bytes.Count - at) + 1);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                default: if (at < bytes.Count) bytes.RemoveAt(at); break;
            }
        }
        return [.. bytes];
    }

    /// <summary>A valid payload followed by a field whose varint (tag, value or length) stops before its last byte.</summary>
    private byte[] TruncatedVarint(Random random)
    {
        byte[] continuation = [.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => (byte)(0x80 | random.Next(128)))];
        byte[] tail = random.Next(3) switch
        {
            0 => continuation,                                // a tag
            1 => [0x08, .. continuation],                     // payload.timestamp
            _ => [0x12, 0x03, 0x10, .. continuation],         // a metric whose alias runs past the metric's end
        };
        return [.. Pick(random), .. tail];
    }

    private byte[] LengthPastEnd(Random random)
    {
        ulong length = random.Next(3) switch { 0 => (ulong)random.Next(1, 100), 1 => (ulong)int.MaxValue + 1, _ => ulong.MaxValue };
        byte[] content = new byte[random.Next(0, 4)];
        var fieldNumber = random.Next(3) switch { 0 => 2, 1 => 4, _ => random.Next(6, 1000) }; // metrics, uuid, an extension
        byte[] field = [.. Encode(o => { o.WriteTag(fieldNumber, WireFormat.WireType.LengthDelimited); o.WriteUInt64(length); }), .. content];
        if (random.Next(2) == 0) return [.. Pick(random), .. field];
        // the same inside a metric: its string_value claims more than the metric holds
        return LengthField(2, Encode(o => { o.WriteTag(15, WireFormat.WireType.LengthDelimited); o.WriteUInt64(length); }));
    }

    /// <summary>A field of the schema with a wire type the schema does not give it.</summary>
    private byte[] WrongWireType(Random random)
    {
        bool inMetric = random.Next(2) == 0;
        int field = inMetric ? random.Next(1, 20) : random.Next(1, 6);
        var wire = (WireFormat.WireType)random.Next(6);
        var body = Encode(o =>
        {
            o.WriteTag(field, wire);
            switch (wire)
            {
                case WireFormat.WireType.Varint: o.WriteUInt64((ulong)random.NextInt64()); break;
                case WireFormat.WireType.Fixed64: o.WriteFixed64((ulong)random.NextInt64()); break;
                case WireFormat.WireType.Fixed32: o.WriteFixed32((uint)random.Next()); break;
                case WireFormat.WireType.LengthDelimited: o.WriteBytes(ByteString.CopyFrom(1, 2, 3)); break;
                case WireFormat.WireType.StartGroup: o.WriteTag(field, WireFormat.WireType.EndGroup); break;
            }
        });
        return inMetric ? LengthField(2, body) : [.. Pick(random), .. body];
    }

    /// <summary>Field number 0, wire types 6 and 7, a tag longer than a tag can be.</summary>
    private byte[] BadTag(Random random)
    {
        byte[] tag = random.Next(4) switch
        {
            0 => [(byte)random.Next(8)],                      // field 0
            1 => [(byte)(0x08 | 6 + random.Next(2))],         // wire type 6 or 7
            2 => [0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
            _ => [0x80, 0x80, 0x80, 0x80, 0x10, 0x00],        // field 2^25, a varint
        };
        return [.. Pick(random), .. tag];
    }

    /// <summary>Templates in metrics in templates, PropertySets in PropertyValues, or DataSets at the bottom of such a chain, <paramref name="levels"/> deep.</summary>
    public static byte[] DeepNesting(int variant, int levels)
    {
        var payload = new Payload { Timestamp = 1795593600000, Seq = 1 };
        switch (variant)
        {
            case 0:
            {
                var metric = new Metric { Name = "leaf", Datatype = 16, DatasetValue = new Payload.Types.DataSet { NumOfColumns = 1, Columns = { "c" }, Types_ = { 9 } } };
                for (int i = 0; i < levels; i++)
                    metric = new Metric { Name = "t" + i, Datatype = 19, TemplateValue = new Payload.Types.Template { Metrics = { metric } } };
                payload.Metrics.Add(metric);
                break;
            }
            case 1:
            {
                var set = new Payload.Types.PropertySet { Keys = { "leaf" }, Values = { new Payload.Types.PropertyValue { Type = 12, StringValue = "x" } } };
                for (int i = 0; i < levels; i++)
                {
                    var value = i % 2 == 0
                        ? new Payload.Types.PropertyValue { Type = 20, PropertysetValue = set }
                        : new Payload.Types.PropertyValue { Type = 21, PropertysetsValue = new Payload.Types.PropertySetList { Propertyset = { set } } };
                    set = new Payload.Types.PropertySet { Keys = { "k" + i }, Values = { value } };
                }
                payload.Metrics.Add(new Metric { Name = "speed_kmh", Datatype = 9, FloatValue = 1, Properties = set });
                break;
            }
            default:
            {
                var template = new Payload.Types.Template();
                for (int i = 0; i < levels; i++)
                    template = new Payload.Types.Template { Metrics = { new Metric { Datatype = 19, TemplateValue = template, Properties = new Payload.Types.PropertySet() } } };
                payload.Metrics.Add(new Metric { Name = "root", Datatype = 19, TemplateValue = template });
                break;
            }
        }
        return payload.ToByteArray();
    }

    /// <summary>Just under or just over a limit: metrics in a payload, keys in a PropertySet, packed datatypes or rows in a DataSet.</summary>
    public static byte[] HugeArray(int variant, int count)
    {
        var payload = new Payload { Seq = 0 };
        switch (variant)
        {
            case 0:
                for (int i = 0; i < count; i++) payload.Metrics.Add(new Metric());
                break;
            case 1:
                var set = new Payload.Types.PropertySet();
                for (int i = 0; i < count; i++) set.Keys.Add("");
                payload.Metrics.Add(new Metric { Properties = set });
                break;
            case 2:
                // Google.Protobuf writes proto2 repeated scalars unpacked: packed ones are written by hand.
                var packed = Encode(o => { for (int i = 0; i < count; i++) o.WriteUInt32(9); });
                return LengthField(2, LengthField(17, LengthField(3, packed)));
            default:
                var rows = new Payload.Types.DataSet();
                for (int i = 0; i < count; i++) rows.Rows.Add(new Payload.Types.DataSet.Types.Row());
                payload.Metrics.Add(new Metric { Datatype = 16, DatasetValue = rows });
                break;
        }
        return payload.ToByteArray();
    }

    private static byte[] Noise(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A length-delimited field: tag, length, content.</summary>
    public static byte[] LengthField(int field, byte[] content) =>
        [.. Encode(o => { o.WriteTag(field, WireFormat.WireType.LengthDelimited); o.WriteLength(content.Length); }), .. content];

    public static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true)) write(output);
        return stream.ToArray();
    }
}
