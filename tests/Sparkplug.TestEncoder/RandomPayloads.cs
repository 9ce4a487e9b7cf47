using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace Sparkplug.TestEncoder;

/// <summary>
/// Random Sparkplug B payloads built with the generated classes: metrics of every datatype (the value in
/// the member the specification assigns it, now and then in another), with or without name, alias,
/// timestamp, flags, metadata and properties, and DataSet, Template and PropertySet values nested a few levels.
/// </summary>
public sealed class RandomPayloads(Random random)
{
    public const uint LastDataType = 34;

    private static readonly string[] Names =
    [
        "speed_kmh", "Vehicle/Speed", "Vehicle.Speed", "kind", "bdSeq", "Node Control/Rebirth", "seq", "soc_pct",
        "Vehicle/Powertrain/TractionBattery/StateOfCharge/Current", "lift_height_m", "", "é/ก/💥", "a\u0000b", "x",
    ];

    public Payload Payload(int maxMetrics = 20, int maxDepth = 3)
    {
        var payload = new Payload();
        if (Chance(4, 5)) payload.Timestamp = Timestamp();
        if (Chance(4, 5)) payload.Seq = random.Next(3) == 0 ? NextULong() : (ulong)random.Next(256);
        if (Chance(1, 10)) payload.Uuid = "uuid-" + random.Next();
        if (Chance(1, 20)) payload.Body = Bytes(random.Next(0, 64));
        int metrics = random.Next(0, maxMetrics + 1);
        for (int i = 0; i < metrics; i++) payload.Metrics.Add(Metric(maxDepth));
        return payload;
    }

    public Metric Metric(int depth)
    {
        var metric = new Metric();
        if (Chance(2, 3)) metric.Name = Name();
        if (Chance(2, 3)) metric.Alias = random.Next(4) == 0 ? NextULong() : (ulong)random.Next(1000);
        if (Chance(1, 2)) metric.Timestamp = Timestamp();
        uint datatype = random.Next(20) == 0 ? (uint)random.Next() : (uint)random.Next(0, (int)LastDataType + 1);
        if (Chance(5, 6)) metric.Datatype = datatype;
        if (Chance(1, 8)) metric.IsHistorical = Chance(1, 2);
        if (Chance(1, 8)) metric.IsTransient = Chance(1, 2);
        if (Chance(1, 8)) metric.IsNull = Chance(1, 2);
        if (depth > 0 && Chance(1, 10)) metric.Metadata = MetaData();
        if (depth > 0 && Chance(1, 8)) metric.Properties = PropertySet(depth - 1);
        if (Chance(9, 10)) SetValue(metric, random.Next(8) == 0 ? (uint)random.Next(0, (int)LastDataType + 1) : datatype, depth);
        return metric;
    }

    /// <summary>Sets the value member that carries <paramref name="datatype"/> in the specification.</summary>
    private void SetValue(Metric metric, uint datatype, int depth)
    {
        switch (datatype)
        {
            case 1: metric.IntValue = (uint)(sbyte)random.Next(); break;
            case 2: metric.IntValue = (uint)(short)random.Next(); break;
            case 3: metric.IntValue = (uint)random.Next(int.MinValue, int.MaxValue); break;
            case 5: metric.IntValue = (byte)random.Next(); break;
            case 6: metric.IntValue = (ushort)random.Next(); break;
            case 7: metric.IntValue = (uint)NextULong(); break;
            case 4 or 8 or 13: metric.LongValue = NextULong(); break;
            case 9: metric.FloatValue = Float(); break;
            case 10: metric.DoubleValue = Double(); break;
            case 11: metric.BooleanValue = Chance(1, 2); break;
            case 12 or 14 or 15: metric.StringValue = Text(); break;
            case 16 when depth > 0: metric.DatasetValue = DataSet(); break;
            case 19 when depth > 0: metric.TemplateValue = Template(depth - 1); break;
            case 16 or 19: metric.ExtensionValue = new Metric.Types.MetricValueExtension(); break;
            default: metric.BytesValue = Bytes(random.Next(0, 40)); break;
        }
    }

    public Payload.Types.DataSet DataSet()
    {
        var dataSet = new Payload.Types.DataSet();
        int columns = random.Next(0, 4);
        dataSet.NumOfColumns = (ulong)columns;
        for (int c = 0; c < columns; c++)
        {
            dataSet.Columns.Add("c" + c);
            dataSet.Types_.Add((uint)random.Next(1, 13));
        }
        for (int r = random.Next(0, 4); r > 0; r--)
        {
            var row = new Payload.Types.DataSet.Types.Row();
            for (int c = 0; c < columns; c++)
            {
                var value = new Payload.Types.DataSet.Types.DataSetValue();
                switch (random.Next(6))
                {
                    case 0: value.IntValue = (uint)random.Next(); break;
                    case 1: value.LongValue = NextULong(); break;
                    case 2: value.FloatValue = Float(); break;
                    case 3: value.DoubleValue = Double(); break;
                    case 4: value.BooleanValue = true; break;
                    default: value.StringValue = Text(); break;
                }
                row.Elements.Add(value);
            }
            dataSet.Rows.Add(row);
        }
        return dataSet;
    }

    public Payload.Types.Template Template(int depth)
    {
        var template = new Payload.Types.Template { IsDefinition = Chance(1, 2) };
        if (Chance(1, 2)) template.Version = "v" + random.Next(10);
        if (Chance(1, 2)) template.TemplateRef = "ref";
        for (int i = random.Next(0, 3); i > 0; i--) template.Metrics.Add(Metric(depth));
        for (int i = random.Next(0, 3); i > 0; i--)
        {
            var parameter = new Payload.Types.Template.Types.Parameter { Name = "p" + i, Type = (uint)random.Next(1, 13) };
            switch (random.Next(4))
            {
                case 0: parameter.IntValue = (uint)random.Next(); break;
                case 1: parameter.DoubleValue = Double(); break;
                case 2: parameter.StringValue = Text(); break;
                default: parameter.BooleanValue = Chance(1, 2); break;
            }
            template.Parameters.Add(parameter);
        }
        return template;
    }

    public Payload.Types.PropertySet PropertySet(int depth)
    {
        var set = new Payload.Types.PropertySet();
        for (int i = random.Next(0, 4); i > 0; i--)
        {
            set.Keys.Add("k" + i);
            var value = new Payload.Types.PropertyValue { Type = (uint)random.Next(1, 22) };
            switch (random.Next(depth > 0 ? 6 : 4))
            {
                case 0: value.IntValue = (uint)random.Next(); break;
                case 1: value.FloatValue = Float(); break;
                case 2: value.StringValue = Text(); break;
                case 3: value.IsNull = true; break;
                case 4: value.PropertysetValue = PropertySet(depth - 1); break;
                default:
                    value.PropertysetsValue = new Payload.Types.PropertySetList();
                    value.PropertysetsValue.Propertyset.Add(PropertySet(depth - 1));
                    break;
            }
            set.Values.Add(value);
        }
        return set;
    }

    private Payload.Types.MetaData MetaData()
    {
        var metaData = new Payload.Types.MetaData { ContentType = "text/plain", Size = (ulong)random.Next() };
        if (Chance(1, 2)) metaData.IsMultiPart = true;
        if (Chance(1, 2)) metaData.Md5 = "d41d8cd98f00b204e9800998ecf8427e";
        return metaData;
    }

    private bool Chance(int inThisMany, int outOf) => random.Next(outOf) < inThisMany;

    private ulong NextULong() => (ulong)random.NextInt64() << 1 ^ (ulong)random.Next(2);

    private ulong Timestamp() => random.Next(10) == 0 ? NextULong() : 1795593600000UL + (ulong)random.Next(-600_000, 600_000);

    private string Name() => random.Next(4) == 0 ? Text() : Names[random.Next(Names.Length)];

    private string Text() => random.Next(5) switch
    {
        0 => "",
        1 => "run",
        2 => new string('é', random.Next(1, 80)),
        3 => "ก💥\u0001\n",
        _ => "BP-" + random.Next(100000),
    };

    private float Float() => random.Next(10) switch
    {
        0 => float.NaN,
        1 => float.NegativeInfinity,
        2 => -0f,
        3 => float.MaxValue,
        _ => (float)(random.NextDouble() * 400 - 100),
    };

    private double Double() => random.Next(10) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => -0d,
        3 => double.Epsilon,
        _ => random.NextDouble() * 400 - 100,
    };

    private ByteString Bytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }
}
