using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Telemetry.Contract.Sparkplug;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace Telemetry.Contract.Tests.Sparkplug;

/// <summary>The reader on payloads encoded by Google.Protobuf, and on each kind of hostile input by name.</summary>
public class SparkplugReaderTests
{
    private static readonly SparkplugLimits Limits = new();

    private static PayloadError Read(byte[] bytes) => SparkplugPayload.TryRead(bytes, Limits, out _);

    private static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true)) write(output);
        return stream.ToArray();
    }

    /// <summary>A payload holding one metric whose bytes are <paramref name="metric"/>.</summary>
    private static byte[] WithMetric(byte[] metric) => Encode(o =>
    {
        o.WriteTag(2, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(metric));
    });

    [Fact]
    public void A_data_message_by_alias_reads_its_timestamp_seq_and_values()
    {
        var payload = new Payload
        {
            Timestamp = 1795593600123, Seq = 7,
            Metrics =
            {
                new Metric { Alias = 1, Datatype = 9, FloatValue = 38.5f },
                new Metric { Alias = 2, Timestamp = 1795593600100, Datatype = 10, DoubleValue = -18.25, IsHistorical = true },
                new Metric { Alias = 3, Datatype = 11, BooleanValue = true },
                new Metric { Alias = 4, Datatype = 3, IntValue = unchecked((uint)-5) },
                new Metric { Alias = 300, Datatype = 12, StringValue = "run" },
            },
        };
        Assert.Equal(PayloadError.None, SparkplugPayload.TryRead(payload.ToByteArray(), Limits, out var read));
        Assert.True(read.HasTimestamp && read.HasSeq);
        Assert.Equal((1795593600123UL, 7UL, 5), (read.Timestamp, read.Seq, read.MetricCount));

        var seen = new List<string>();
        foreach (var m in read.Metrics)
        {
            Assert.False(m.HasName);
            seen.Add(m.ValueKind switch
            {
                MetricValueKind.Float => $"{m.Alias}={m.FloatValue}",
                MetricValueKind.Double => $"{m.Alias}={m.DoubleValue}@{m.Timestamp} historical={m.IsHistorical}",
                MetricValueKind.Boolean => $"{m.Alias}={m.ValueBits}",
                MetricValueKind.Int => $"{m.Alias}={(int)(uint)m.ValueBits}",
                MetricValueKind.String => $"{m.Alias}={System.Text.Encoding.UTF8.GetString(m.ValueBytes)}",
                _ => "?",
            });
        }
        Assert.Equal(["1=38.5", "2=-18.25@1795593600100 historical=True", "3=1", "4=-5", "300=run"], seen);
    }

    [Fact]
    public void A_birth_reads_names_and_datatypes_and_skips_what_the_host_does_not_need()
    {
        var payload = new Payload
        {
            Timestamp = 1, Seq = 0, Uuid = "u",
            Metrics =
            {
                new Metric { Name = "bdSeq", Datatype = 8, LongValue = 3 },
                new Metric
                {
                    Name = "Vehicle/Speed", Alias = 1, Datatype = 9, FloatValue = 0,
                    Properties = new Payload.Types.PropertySet { Keys = { "engUnit" }, Values = { new Payload.Types.PropertyValue { Type = 12, StringValue = "km/h" } } },
                    Metadata = new Payload.Types.MetaData { ContentType = "x" },
                },
                new Metric { Name = "Info", Datatype = 19, TemplateValue = new Payload.Types.Template { Metrics = { new Metric { Name = "a", Datatype = 3, IntValue = 1 } } } },
            },
        };
        Assert.Equal(PayloadError.None, SparkplugPayload.TryRead(payload.ToByteArray(), Limits, out var read));
        var names = new List<string>();
        foreach (var m in read.Metrics) names.Add($"{System.Text.Encoding.UTF8.GetString(m.Name)}:{m.DataType}:{m.ValueKind}");
        Assert.Equal(["bdSeq:8:Long", "Vehicle/Speed:9:Float", "Info:19:Template"], names);
    }

    [Fact]
    public void Fields_outside_the_schema_are_skipped_and_the_last_value_member_wins()
    {
        var metric = Encode(o =>
        {
            o.WriteTag(2, WireFormat.WireType.Varint); o.WriteUInt64(5);
            o.WriteTag(12, WireFormat.WireType.Fixed32); o.WriteFloat(1.5f);
            o.WriteTag(40, WireFormat.WireType.LengthDelimited); o.WriteString("a newer field");
            o.WriteTag(10, WireFormat.WireType.Varint); o.WriteInt32(-2); // ten bytes: the low 32 bits count
        });
        byte[] payload = [.. WithMetric(metric), .. Encode(o => { o.WriteTag(9, WireFormat.WireType.Fixed64); o.WriteFixed64(1); })];
        Assert.Equal(PayloadError.None, SparkplugPayload.TryRead(payload, Limits, out var read));
        foreach (var m in read.Metrics)
        {
            Assert.Equal(MetricValueKind.Int, m.ValueKind);
            Assert.Equal(unchecked((uint)-2), (uint)m.ValueBits);
        }
    }

    [Fact]
    public void Packed_and_unpacked_dataset_types_are_both_read()
    {
        var packed = Encode(o => { o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(9, 10, 12)); });
        var unpacked = new Payload.Types.DataSet { NumOfColumns = 3, Columns = { "a", "b", "c" }, Types_ = { 9, 10, 12 } }.ToByteArray();
        foreach (var dataSet in new[] { packed, unpacked })
        {
            var metric = Encode(o => { o.WriteTag(4, WireFormat.WireType.Varint); o.WriteUInt32(16); o.WriteTag(17, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(dataSet)); });
            Assert.Equal(PayloadError.None, Read(WithMetric(metric)));
        }
    }

    /// <summary>What, how, and whether Google.Protobuf refuses it too: it skips a schema field sent with another wire type,
    /// skips groups, and reads a length modulo 2^32 (so 2^63 is an empty field).</summary>
    public static TheoryData<string, byte[], PayloadError, bool> Hostile => new()
    {
        { "timestamp varint cut short", [0x08, 0x80, 0x80], PayloadError.TruncatedVarint, true },
        { "a tag cut short", [0x08, 0x01, 0x80], PayloadError.TruncatedVarint, true },
        { "alias running past its metric", [0x12, 0x02, 0x10, 0x80, 0x01], PayloadError.TruncatedVarint, true },
        { "eleven-byte varint", [0x08, .. Enumerable.Repeat((byte)0x80, 10), 0x01], PayloadError.OverlongVarint, true },
        { "float value of two bytes", [0x12, 0x03, 0x65, 0x00, 0x00], PayloadError.TruncatedFixed, true },
        { "metric longer than the payload", [0x12, 0x05, 0x08, 0x01], PayloadError.LengthPastEnd, true },
        { "length of 2^31", [0x22, 0x80, 0x80, 0x80, 0x80, 0x08], PayloadError.LengthPastEnd, true },
        { "length of 2^63", [0x22, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], PayloadError.LengthPastEnd, false },
        { "field number 0", [0x00, 0x01], PayloadError.InvalidTag, true },
        { "wire type 7", [0x0F, 0x01], PayloadError.UnsupportedWireType, true },
        { "a group outside the schema", [0x33, 0x34], PayloadError.UnsupportedWireType, false },
        { "seq as a fixed64", [0x19, 0, 0, 0, 0, 0, 0, 0, 0], PayloadError.WrongWireType, false },
        { "metric name as a varint", [0x12, 0x02, 0x08, 0x01], PayloadError.WrongWireType, false },
        { "metric as a varint", [0x10, 0x01], PayloadError.WrongWireType, false },
        { "float value as a varint", [0x12, 0x02, 0x60, 0x01], PayloadError.WrongWireType, false },
        { "metric name not UTF-8", [0x12, 0x04, 0x0A, 0x02, 0xC0, 0x80], PayloadError.InvalidUtf8, true },
        { "property key not UTF-8", [0x12, 0x05, 0x4A, 0x03, 0x0A, 0x01, 0xFF], PayloadError.InvalidUtf8, true },
        { "uuid a lone surrogate", [0x22, 0x03, 0xED, 0xA0, 0x80], PayloadError.InvalidUtf8, true },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Each_kind_of_malformed_payload_is_refused_with_its_reason(string what, byte[] bytes, PayloadError expected, bool protobufRefuses)
    {
        Assert.True(Read(bytes) == expected, $"{what}: {Read(bytes).Name()}, expected {expected.Name()}");
        var refused = Record.Exception(() => Payload.Parser.ParseFrom(bytes));
        Assert.Equal(protobufRefuses, refused is InvalidProtocolBufferException);
    }

    [Theory]
    [InlineData(31, PayloadError.None)]
    [InlineData(32, PayloadError.TooDeep)]
    public void Templates_nested_beyond_the_limit_are_too_deep(int templates, PayloadError expected)
    {
        // metric (level 1) → template (2) → metric (3) → …: 31 templates put the innermost metric at level 63.
        var metric = new Metric { Name = "leaf" };
        for (int i = 0; i < templates; i++) metric = new Metric { TemplateValue = new Payload.Types.Template { Metrics = { metric } } };
        var limits = new SparkplugLimits { MaxDepth = 63 };
        Assert.Equal(expected, SparkplugPayload.TryRead(new Payload { Metrics = { metric } }.ToByteArray(), limits, out _));
    }

    [Fact]
    public void Property_sets_nested_beyond_the_limit_are_too_deep()
    {
        var set = new Payload.Types.PropertySet();
        for (int i = 0; i < 20; i++)
            set = new Payload.Types.PropertySet { Keys = { "k" }, Values = { new Payload.Types.PropertyValue { PropertysetValue = set } } };
        var bytes = new Payload { Metrics = { new Metric { Properties = set } } }.ToByteArray();
        Assert.Equal(PayloadError.TooDeep, Read(bytes));
        Assert.Equal(PayloadError.None, SparkplugPayload.TryRead(bytes, new SparkplugLimits { MaxDepth = 42 }, out _));
    }

    [Fact]
    public void More_metrics_or_elements_than_the_limits_are_refused()
    {
        var limits = new SparkplugLimits { MaxMetrics = 100, MaxElements = 50 };
        var metrics = new Payload();
        for (int i = 0; i < 100; i++) metrics.Metrics.Add(new Metric { Alias = (ulong)i });
        Assert.Equal(PayloadError.None, SparkplugPayload.TryRead(metrics.ToByteArray(), limits, out _));
        metrics.Metrics.Add(new Metric());
        Assert.Equal(PayloadError.TooManyMetrics, SparkplugPayload.TryRead(metrics.ToByteArray(), limits, out _));

        var rows = new Payload.Types.DataSet();
        for (int i = 0; i < 51; i++) rows.Rows.Add(new Payload.Types.DataSet.Types.Row());
        Assert.Equal(PayloadError.TooManyElements,
            SparkplugPayload.TryRead(new Payload { Metrics = { new Metric { DatasetValue = rows } } }.ToByteArray(), limits, out _));

        var packed = Encode(o => { o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(new byte[51])); });
        var metric = Encode(o => { o.WriteTag(17, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(packed)); });
        Assert.Equal(PayloadError.TooManyElements, SparkplugPayload.TryRead(WithMetric(metric), limits, out _));
    }

    [Fact]
    public void Reading_a_data_message_allocates_nothing()
    {
        var payload = new Payload { Timestamp = 1795593600123, Seq = 200 };
        for (int i = 0; i < 50; i++) payload.Metrics.Add(new Metric { Alias = (ulong)i, Datatype = 10, DoubleValue = i * 1.5 });
        var bytes = payload.ToByteArray();
        double sum = 0;
        void Run(int rounds)
        {
            for (int r = 0; r < rounds; r++)
            {
                SparkplugPayload.TryRead(bytes, Limits, out var read);
                foreach (var m in read.Metrics) sum += m.DoubleValue + m.Alias;
            }
        }
        Run(100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }
}
