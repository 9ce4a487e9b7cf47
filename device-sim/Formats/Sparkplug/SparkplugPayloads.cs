using DeviceSim.Publishing;

namespace DeviceSim.Formats.Sparkplug;

/// <summary>Sparkplug B datatypes the simulator sends (the numbering of <c>sparkplug_b.proto</c>).</summary>
public static class SparkplugDataType
{
    public const uint Int32 = 3, UInt32 = 7, UInt64 = 8, Double = 10, Boolean = 11, String = 12;

    /// <summary>How a value of this kind is declared: floats as Double (a Float would lose an odometer's or a longitude's digits).</summary>
    public static uint Of(FieldKind kind) => kind switch
    {
        FieldKind.Float => Double,
        FieldKind.Int => Int32,
        FieldKind.Bool => Boolean,
        _ => String,
    };
}

/// <summary>One metric a vehicle declared in its BIRTH: catalogue key (or VSS path), Sparkplug name, alias, datatype.</summary>
public sealed record DeclaredMetric(string Key, string Name, ulong Alias, uint DataType);

/// <summary>
/// A vehicle's metrics, learned from its first telemetry sample (a vehicle always reports the same signals): alias 1
/// is the study's <c>seq</c> (UInt32), the signals follow in the order the vehicle reports them. VSS paths are named
/// with Sparkplug's folder separator (<c>Vehicle/Speed</c>).
/// </summary>
public sealed class MetricTable
{
    public const ulong SeqAlias = 1;
    private readonly Dictionary<string, DeclaredMetric> _byKey = new(StringComparer.Ordinal);

    public MetricTable(IEnumerable<FieldValue> sample)
    {
        ulong alias = SeqAlias + 1;
        foreach (var field in sample)
        {
            if (_byKey.ContainsKey(field.Key)) continue;
            var metric = new DeclaredMetric(field.Key, NameOf(field.Key), alias++, SparkplugDataType.Of(field.Kind));
            _byKey[field.Key] = metric;
            Declared.Add(metric);
        }
    }

    public List<DeclaredMetric> Declared { get; } = [];

    public DeclaredMetric? Find(string key) => _byKey.GetValueOrDefault(key);

    public static string NameOf(string key) => key.Replace('.', '/');
}

/// <summary>
/// Writes Sparkplug B payloads (<c>Payload</c>: timestamp 1, metrics 2, seq 3; <c>Metric</c>: name 1, alias 2,
/// timestamp 3, datatype 4, int 10, long 11, double 13, boolean 14, string 15) with <see cref="ProtobufWriter"/>.
/// One instance per thread; it keeps its buffers.
/// </summary>
public sealed class SparkplugPayloadWriter
{
    /// <summary>An alias no BIRTH declares (the <c>unknown_alias</c> fault).</summary>
    public const ulong UndeclaredAlias = 9999;

    private readonly ProtobufWriter _payload = new(), _metric = new();

    /// <summary>Where the last metric's content lies in the payload: a cut inside it is never valid protobuf.</summary>
    public (int Start, int End) LastMetric { get; private set; }

    public void Begin(long? timestampMs)
    {
        _payload.Clear();
        if (timestampMs is { } ts) _payload.UInt64(1, (ulong)ts);
    }

    public byte[] End(int? seq)
    {
        if (seq is { } s) _payload.UInt64(3, (ulong)s);
        return _payload.ToArray();
    }

    /// <summary>A metric with a name (and an alias when it has one), as BIRTH declares it, or as DATA sends one the BIRTH did not declare.</summary>
    public void Named(string name, ulong? alias, long? timestampMs, uint dataType, in FieldValue value)
    {
        _metric.Clear();
        _metric.String(1, name);
        if (alias is { } a) _metric.UInt64(2, a);
        if (timestampMs is { } ts) _metric.UInt64(3, (ulong)ts);
        _metric.UInt64(4, dataType);
        Value(dataType, value);
        Append();
    }

    /// <summary>A DATA metric by alias only; the datatype is left to the BIRTH's unless <paramref name="dataType"/> says otherwise.</summary>
    public void Aliased(ulong alias, long? timestampMs, uint? dataType, uint valueType, in FieldValue value)
    {
        _metric.Clear();
        _metric.UInt64(2, alias);
        if (timestampMs is { } ts) _metric.UInt64(3, (ulong)ts);
        if (dataType is { } type) _metric.UInt64(4, type);
        Value(valueType, value);
        Append();
    }

    public void BdSeq(ulong bdSeq) => Named("bdSeq", null, null, SparkplugDataType.UInt64, FieldValue.Int("bdSeq", (long)bdSeq));

    private void Value(uint dataType, in FieldValue value)
    {
        switch (dataType)
        {
            case SparkplugDataType.Int32: _metric.UInt64(10, (uint)(int)value.Number); break;
            case SparkplugDataType.UInt32: _metric.UInt64(10, (uint)value.Number); break;
            case SparkplugDataType.UInt64: _metric.UInt64(11, (ulong)value.Number); break;
            case SparkplugDataType.Double:
                _metric.Double(13, Math.Round(value.Number, value.Decimals, MidpointRounding.AwayFromZero) + 0.0);
                break;
            case SparkplugDataType.Boolean: _metric.Bool(14, value.Flag); break;
            default: _metric.String(15, value.Text ?? ""); break;
        }
    }

    private void Append()
    {
        int start = _payload.Message(2, _metric.Written);
        LastMetric = (start, start + _metric.Length);
    }
}
