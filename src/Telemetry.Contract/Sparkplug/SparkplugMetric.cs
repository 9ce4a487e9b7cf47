namespace Telemetry.Contract.Sparkplug;

/// <summary>
/// One <c>Payload.Metric</c> as read from the payload bytes: scalars by value, the name and string or
/// bytes values as slices of the payload. A DataSet, Template or extension value is checked for
/// well-formedness but not exposed beyond its bytes: no catalogue signal has such a type.
/// </summary>
/// <remarks>
/// As in protobuf, a field sent twice keeps its last value, and of the <c>value</c> oneof the last
/// member sent wins. 32-bit fields keep the low 32 bits of the varint.
/// </remarks>
internal ref struct SparkplugMetric
{
    private const uint Varint = (uint)WireType.Varint;
    private const uint Fixed32 = (uint)WireType.Fixed32;
    private const uint Fixed64 = (uint)WireType.Fixed64;
    private const uint Length = (uint)WireType.LengthDelimited;
    private const uint LastSchemaField = 19;

    public ReadOnlySpan<byte> Name { get; private set; }
    public bool HasName { get; private set; }
    public ulong Alias { get; private set; }
    public bool HasAlias { get; private set; }
    /// <summary>Epoch milliseconds.</summary>
    public ulong Timestamp { get; private set; }
    public bool HasTimestamp { get; private set; }
    /// <summary>The datatype number as sent (see <see cref="SparkplugDataType"/>; unknown numbers are kept).</summary>
    public uint DataType { get; private set; }
    public bool HasDataType { get; private set; }
    public bool IsHistorical { get; private set; }
    public bool IsTransient { get; private set; }
    public bool IsNull { get; private set; }
    public MetricValueKind ValueKind { get; private set; }
    /// <summary>The value's bits: the varint for int, long and boolean (0 or 1), the IEEE 754 bits for float and double.</summary>
    public ulong ValueBits { get; private set; }
    /// <summary>The value's bytes for string, bytes, DataSet, Template and extension values.</summary>
    public ReadOnlySpan<byte> ValueBytes { get; private set; }

    public readonly float FloatValue => BitConverter.UInt32BitsToSingle((uint)ValueBits);
    public readonly double DoubleValue => BitConverter.UInt64BitsToDouble(ValueBits);

    /// <summary>Reads one metric message; nested messages are checked only when <paramref name="checkNested"/> (the first pass over a payload).</summary>
    internal static PayloadError Read(ReadOnlySpan<byte> bytes, int depth, SparkplugLimits limits, bool checkNested, out SparkplugMetric metric)
    {
        metric = default;
        if (depth > limits.MaxDepth) return PayloadError.TooDeep;
        var reader = new ProtoReader(bytes);
        while (!reader.AtEnd)
        {
            var error = reader.ReadTag(out uint field, out var wireType);
            if (error != PayloadError.None) return error;
            ulong value;
            ReadOnlySpan<byte> nested;
            switch (field << 3 | (uint)wireType)
            {
                case 1 << 3 | Length:
                    error = reader.ReadString(out nested);
                    metric.Name = nested;
                    metric.HasName = true;
                    break;
                case 2 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.Alias = value;
                    metric.HasAlias = true;
                    break;
                case 3 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.Timestamp = value;
                    metric.HasTimestamp = true;
                    break;
                case 4 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.DataType = (uint)value;
                    metric.HasDataType = true;
                    break;
                case 5 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.IsHistorical = value != 0;
                    break;
                case 6 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.IsTransient = value != 0;
                    break;
                case 7 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.IsNull = value != 0;
                    break;
                case 8 << 3 | Length:
                    error = ReadNested(ref reader, NestedMessage.MetaData, depth, limits, checkNested, out _);
                    break;
                case 9 << 3 | Length:
                    error = ReadNested(ref reader, NestedMessage.PropertySet, depth, limits, checkNested, out _);
                    break;
                case 10 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.SetValue(MetricValueKind.Int, (uint)value, default);
                    break;
                case 11 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.SetValue(MetricValueKind.Long, value, default);
                    break;
                case 12 << 3 | Fixed32:
                    error = reader.ReadFixed32(out uint bits);
                    metric.SetValue(MetricValueKind.Float, bits, default);
                    break;
                case 13 << 3 | Fixed64:
                    error = reader.ReadFixed64(out value);
                    metric.SetValue(MetricValueKind.Double, value, default);
                    break;
                case 14 << 3 | Varint:
                    error = reader.ReadVarint(out value);
                    metric.SetValue(MetricValueKind.Boolean, value != 0 ? 1UL : 0UL, default);
                    break;
                case 15 << 3 | Length:
                    error = reader.ReadString(out nested);
                    metric.SetValue(MetricValueKind.String, 0, nested);
                    break;
                case 16 << 3 | Length:
                    error = reader.ReadLengthDelimited(out nested);
                    metric.SetValue(MetricValueKind.Bytes, 0, nested);
                    break;
                case 17 << 3 | Length:
                    error = ReadNested(ref reader, NestedMessage.DataSet, depth, limits, checkNested, out nested);
                    metric.SetValue(MetricValueKind.DataSet, 0, nested);
                    break;
                case 18 << 3 | Length:
                    error = ReadNested(ref reader, NestedMessage.Template, depth, limits, checkNested, out nested);
                    metric.SetValue(MetricValueKind.Template, 0, nested);
                    break;
                case 19 << 3 | Length:
                    error = ReadNested(ref reader, NestedMessage.Extension, depth, limits, checkNested, out nested);
                    metric.SetValue(MetricValueKind.Extension, 0, nested);
                    break;
                default:
                    error = field <= LastSchemaField ? PayloadError.WrongWireType : reader.ReadValue(wireType, out _, out _);
                    break;
            }
            if (error != PayloadError.None) return error;
        }
        return PayloadError.None;
    }

    private void SetValue(MetricValueKind kind, ulong bits, ReadOnlySpan<byte> bytes)
    {
        ValueKind = kind;
        ValueBits = bits;
        ValueBytes = bytes;
    }

    private static PayloadError ReadNested(scoped ref ProtoReader reader, NestedMessage kind, int depth, SparkplugLimits limits, bool check,
        out ReadOnlySpan<byte> bytes)
    {
        var error = reader.ReadLengthDelimited(out bytes);
        if (error != PayloadError.None || !check) return error;
        return NestedMessages.Check(kind, bytes, depth + 1, limits);
    }
}
