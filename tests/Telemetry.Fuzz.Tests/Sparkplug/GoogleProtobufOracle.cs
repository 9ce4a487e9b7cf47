using System.Text;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Telemetry.Contract.Sparkplug;

namespace Telemetry.Fuzz.Tests.Sparkplug;

/// <summary>
/// Reads a payload with the gateway's reader and with Google.Protobuf's generated parser and says where
/// they disagree. The reader may be stricter than protobuf in the ways it documents (a schema field with
/// another wire type, groups, its depth and size limits); otherwise both accept the same payloads, and
/// what both accept must read the same, metric by metric.
/// </summary>
public static class GoogleProtobufOracle
{
    /// <summary>Refusals of input that protobuf itself would parse: the reader's own rules.</summary>
    private static readonly PayloadError[] StricterThanProtobuf =
        [PayloadError.WrongWireType, PayloadError.UnsupportedWireType, PayloadError.TooDeep, PayloadError.TooManyMetrics, PayloadError.TooManyElements];

    /// <param name="exactNested">compare DataSet and Template values by content (false for mutated input, where protobuf merges a value sent twice)</param>
    /// <returns>the reader's answer</returns>
    public static PayloadError Check(byte[] bytes, SparkplugLimits limits, bool exactNested = false)
    {
        Payload? google = null;
        Exception? googleError = null;
        try
        {
            google = Payload.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            googleError = e;
        }

        var error = SparkplugPayload.TryRead(bytes, limits, out var ours);
        if (!Enum.IsDefined(error)) Fail($"answer {(int)error} is not a PayloadError");
        if (error == PayloadError.None)
        {
            if (google is null) Fail($"the reader accepted what Google.Protobuf refuses: {googleError!.Message}");
            Compare(google!, ours, exactNested);
        }
        else if (google is not null && !StricterThanProtobuf.Contains(error))
        {
            Fail($"the reader refused valid protobuf as {error.Name()}");
        }
        return error;
    }

    private static void Compare(Payload google, SparkplugPayload ours, bool exactNested)
    {
        Same(-1, "timestamp", (google.HasTimestamp, google.Timestamp), (ours.HasTimestamp, ours.Timestamp));
        Same(-1, "seq", (google.HasSeq, google.Seq), (ours.HasSeq, ours.Seq));
        Same(-1, "metric count", google.Metrics.Count, ours.MetricCount);
        int i = 0;
        foreach (var metric in ours.Metrics)
        {
            if (i >= google.Metrics.Count) Fail("more metrics enumerated than counted");
            CompareMetric(i, google.Metrics[i], metric, exactNested);
            i++;
        }
        Same(-1, "metrics enumerated", google.Metrics.Count, i);
    }

    private static void CompareMetric(int index, Payload.Types.Metric google, SparkplugMetric ours, bool exactNested)
    {
                Same(index, "name", (google.HasName, google.Name), (ours.HasName, ours.HasName ? Encoding.UTF8.GetString(ours.Name) : ""));
        Same(index, "alias", (google.HasAlias, google.Alias), (ours.HasAlias, ours.Alias));
        Same(index, "timestamp", (google.HasTimestamp, google.Timestamp), (ours.HasTimestamp, ours.Timestamp));
        Same(index, "datatype", (google.HasDatatype, google.Datatype), (ours.HasDataType, ours.DataType));
        Same(index, "is_historical", google.IsHistorical, ours.IsHistorical);
        Same(index, "is_transient", google.IsTransient, ours.IsTransient);
        Same(index, "is_null", google.IsNull, ours.IsNull);
        // The oneof's case numbers are the field numbers, as are MetricValueKind's.
        Same(index, "value member", (int)google.ValueCase, (int)ours.ValueKind);
        switch (google.ValueCase)
        {
            case Payload.Types.Metric.ValueOneofCase.IntValue: Same(index, "int_value", google.IntValue, (uint)ours.ValueBits); break;
            case Payload.Types.Metric.ValueOneofCase.LongValue: Same(index, "long_value", google.LongValue, ours.ValueBits); break;
            case Payload.Types.Metric.ValueOneofCase.FloatValue:
                Same(index, "float_value bits", BitConverter.SingleToUInt32Bits(google.FloatValue), BitConverter.SingleToUInt32Bits(ours.FloatValue));
                break;
            case Payload.Types.Metric.ValueOneofCase.DoubleValue:
                Same(index, "double_value bits", BitConverter.DoubleToUInt64Bits(google.DoubleValue), BitConverter.DoubleToUInt64Bits(ours.DoubleValue));
                break;
            case Payload.Types.Metric.ValueOneofCase.BooleanValue: Same(index, "boolean_value", google.BooleanValue ? 1UL : 0UL, ours.ValueBits); break;
            case Payload.Types.Metric.ValueOneofCase.StringValue: Same(index, "string_value", google.StringValue, Encoding.UTF8.GetString(ours.ValueBytes)); break;
            case Payload.Types.Metric.ValueOneofCase.BytesValue:
                if (!google.BytesValue.Span.SequenceEqual(ours.ValueBytes)) Fail($"metric {index} bytes_value differs");
                break;
            case Payload.Types.Metric.ValueOneofCase.DatasetValue:
                var dataSet = Payload.Types.DataSet.Parser.ParseFrom(ours.ValueBytes);
                if (exactNested) Same(index, "dataset_value", google.DatasetValue, dataSet);
                break;
            case Payload.Types.Metric.ValueOneofCase.TemplateValue:
                var template = Payload.Types.Template.Parser.ParseFrom(ours.ValueBytes);
                if (exactNested) Same(index, "template_value", google.TemplateValue, template);
                break;
        }
    }

    /// <param name="metric">the metric's index, -1 for the payload's own fields</param>
    private static void Same<T>(int metric, string what, T google, T ours)
    {
        if (!EqualityComparer<T>.Default.Equals(google, ours))
            Fail($"{(metric < 0 ? "payload" : $"metric {metric}")} {what}: Google.Protobuf read {google}, the reader {ours}");
    }

    private static void Fail(string message) => throw new ContractViolation(message);
}
