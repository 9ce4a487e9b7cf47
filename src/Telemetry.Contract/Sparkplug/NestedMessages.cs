using System.Text.Unicode;

namespace Telemetry.Contract.Sparkplug;

/// <summary>The messages that a metric may carry inside it; <see cref="Extension"/> is any message that holds only extensions.</summary>
internal enum NestedMessage : byte
{
    None, Metric, MetaData, PropertySet, PropertyValue, PropertySetList, DataSet, DataSetRow, DataSetValue, Template, TemplateParameter, Extension,
}

/// <summary>
/// Checks that the messages nested in a metric (MetaData, PropertySet, DataSet, Template and what they
/// hold) are well-formed against the schema of sparkplug_b.proto, within <see cref="SparkplugLimits"/>.
/// Their values are not needed by the host, so nothing is kept. Fields outside the schema (extensions,
/// newer fields) are skipped, as protobuf requires.
/// </summary>
internal static class NestedMessages
{
    /// <param name="Wire">the schema's wire type</param>
    /// <param name="Holds">the message it contains, for a length-delimited message field</param>
    /// <param name="Repeated">counts toward <see cref="SparkplugLimits.MaxElements"/></param>
    /// <param name="Packable">a repeated varint that may also come packed in one length-delimited field</param>
    /// <param name="IsString">declared <c>string</c>: must be UTF-8</param>
    private readonly record struct FieldRule(WireType Wire, NestedMessage Holds = NestedMessage.None, bool Repeated = false, bool Packable = false,
        bool IsString = false)
    {
        public static readonly FieldRule Outside = new((WireType)0xFF);
        public bool IsOutsideSchema => (byte)Wire == 0xFF;
    }

    private static readonly FieldRule Varint = new(WireType.Varint);
    private static readonly FieldRule Fixed32 = new(WireType.Fixed32);
    private static readonly FieldRule Fixed64 = new(WireType.Fixed64);
    private static readonly FieldRule Text = new(WireType.LengthDelimited, IsString: true);
    private static FieldRule Holds(NestedMessage message, bool repeated = false) => new(WireType.LengthDelimited, message, repeated);

    private static FieldRule RuleOf(NestedMessage message, uint field) => (message, field) switch
    {
        (NestedMessage.MetaData, 1 or 3 or 4) => Varint,
        (NestedMessage.MetaData, 2 or 5 or 6 or 7 or 8) => Text,

        (NestedMessage.PropertySet, 1) => Text with { Repeated = true },
        (NestedMessage.PropertySet, 2) => Holds(NestedMessage.PropertyValue, repeated: true),
        (NestedMessage.PropertySetList, 1) => Holds(NestedMessage.PropertySet, repeated: true),
        (NestedMessage.PropertyValue, 1 or 2 or 3 or 4 or 7) => Varint,
        (NestedMessage.PropertyValue, 5) => Fixed32,
        (NestedMessage.PropertyValue, 6) => Fixed64,
        (NestedMessage.PropertyValue, 8) => Text,
        (NestedMessage.PropertyValue, 9) => Holds(NestedMessage.PropertySet),
        (NestedMessage.PropertyValue, 10) => Holds(NestedMessage.PropertySetList),
        (NestedMessage.PropertyValue, 11) => Holds(NestedMessage.Extension),

        (NestedMessage.DataSet, 1) => Varint,
        (NestedMessage.DataSet, 2) => Text with { Repeated = true },
        (NestedMessage.DataSet, 3) => Varint with { Repeated = true, Packable = true },
        (NestedMessage.DataSet, 4) => Holds(NestedMessage.DataSetRow, repeated: true),
        (NestedMessage.DataSetRow, 1) => Holds(NestedMessage.DataSetValue, repeated: true),
        (NestedMessage.DataSetValue, 1 or 2 or 5) => Varint,
        (NestedMessage.DataSetValue, 3) => Fixed32,
        (NestedMessage.DataSetValue, 4) => Fixed64,
        (NestedMessage.DataSetValue, 6) => Text,
        (NestedMessage.DataSetValue, 7) => Holds(NestedMessage.Extension),

        (NestedMessage.Template, 1 or 4) => Text,
        (NestedMessage.Template, 2) => Holds(NestedMessage.Metric, repeated: true),
        (NestedMessage.Template, 3) => Holds(NestedMessage.TemplateParameter, repeated: true),
        (NestedMessage.Template, 5) => Varint,
        (NestedMessage.TemplateParameter, 1 or 8) => Text,
        (NestedMessage.TemplateParameter, 2 or 3 or 4 or 7) => Varint,
        (NestedMessage.TemplateParameter, 5) => Fixed32,
        (NestedMessage.TemplateParameter, 6) => Fixed64,
        (NestedMessage.TemplateParameter, 9) => Holds(NestedMessage.Extension),

        _ => FieldRule.Outside,
    };

    /// <summary>Checks one nested message at <paramref name="depth"/> levels below the payload.</summary>
    public static PayloadError Check(NestedMessage message, ReadOnlySpan<byte> bytes, int depth, SparkplugLimits limits)
    {
        if (depth > limits.MaxDepth) return PayloadError.TooDeep;
        if (message == NestedMessage.Metric) return SparkplugMetric.Read(bytes, depth, limits, checkNested: true, out _);

        var reader = new ProtoReader(bytes);
        int elements = 0;
        while (!reader.AtEnd)
        {
            var error = reader.ReadTag(out uint field, out var wireType);
            if (error != PayloadError.None) return error;
            var rule = RuleOf(message, field);
            if (rule.IsOutsideSchema)
            {
                error = reader.ReadValue(wireType, out _, out _);
            }
            else if (wireType == rule.Wire)
            {
                error = reader.ReadValue(wireType, out _, out var inner);
                if (error == PayloadError.None && rule.Holds != NestedMessage.None)
                    error = Check(rule.Holds, inner, depth + 1, limits);
                else if (error == PayloadError.None && rule.IsString && !Utf8.IsValid(inner))
                    error = PayloadError.InvalidUtf8;
                if (rule.Repeated) elements++;
            }
            else if (rule.Packable && wireType == WireType.LengthDelimited)
            {
                error = reader.ReadLengthDelimited(out var packed);
                if (error == PayloadError.None) error = CountPackedVarints(packed, ref elements);
            }
            else
            {
                error = PayloadError.WrongWireType;
            }
            if (error != PayloadError.None) return error;
            if (elements > limits.MaxElements) return PayloadError.TooManyElements;
        }
        return PayloadError.None;
    }

    private static PayloadError CountPackedVarints(ReadOnlySpan<byte> packed, ref int count)
    {
        var reader = new ProtoReader(packed);
        while (!reader.AtEnd)
        {
            var error = reader.ReadVarint(out _);
            if (error != PayloadError.None) return error;
            count++;
        }
        return PayloadError.None;
    }
}
