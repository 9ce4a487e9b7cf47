using System.Text;

namespace Telemetry.Contract.Catalogue;

public enum SignalType { Float, Int, Bool, String }

/// <summary>One field a stream accepts: its keys, its InfluxDB type and its plausibility rule.</summary>
public sealed class SignalDefinition
{
    public required string Key { get; init; }
    public string? Path { get; init; }
    public required SignalType Type { get; init; }
    public string? Unit { get; init; }
    public double Min { get; init; } = double.NegativeInfinity;
    public double Max { get; init; } = double.PositiveInfinity;
    /// <summary>A value sent by its VSS path is divided by this (e.g. VSS odometer in m, ours in km).</summary>
    public double PathDivisor { get; init; } = 1;
    /// <summary>String fields: the longest value allowed, in Unicode scalar values.</summary>
    public int MaxLength { get; init; } = 256;
    /// <summary>String fields: when set, the only values allowed.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }
    /// <summary>Bool fields: string values accepted when the signal is sent by its VSS path (e.g. "ON" → true).</summary>
    public IReadOnlyDictionary<string, bool>? PathStrings { get; init; }
    public bool Required { get; init; }

    internal byte[] FieldKeyEscaped { get; private set; } = [];
    /// <summary>The SenML names (RFC 8428, RFC 8798) of <see cref="Unit"/>, and of the unit of a value sent by VSS path.</summary>
    internal byte[][] SenmlUnitsUtf8 { get; private set; } = [];
    internal byte[][] SenmlPathUnitsUtf8 { get; private set; } = [];
    internal byte[][] AllowedValuesUtf8 { get; private set; } = [];
    internal (byte[] Text, bool Value)[] PathStringsUtf8 { get; private set; } = [];

    internal void Compile()
    {
        FieldKeyEscaped = LineProtocolEscaping.EscapeKey(Key);
        AllowedValuesUtf8 = AllowedValues?.Select(Encoding.UTF8.GetBytes).ToArray() ?? [];
        PathStringsUtf8 = PathStrings?.Select(p => (Encoding.UTF8.GetBytes(p.Key), p.Value)).ToArray() ?? [];
        SenmlUnitsUtf8 = SenmlUnits.NamesOf(Unit);
        // A VSS path in another unit (the odometer in m for our km): its value is divided by PathDivisor.
        SenmlPathUnitsUtf8 = Unit == "km" && PathDivisor == 1000 ? SenmlUnits.NamesOf("m") : SenmlUnitsUtf8;
    }

    /// <summary>Whether <paramref name="senmlUnit"/> names this signal's unit (for a value sent by its VSS path when <paramref name="viaPath"/>).</summary>
    internal bool HasUnit(ReadOnlySpan<byte> senmlUnit, bool viaPath)
    {
        foreach (var name in viaPath ? SenmlPathUnitsUtf8 : SenmlUnitsUtf8)
            if (senmlUnit.SequenceEqual(name)) return true;
        return false;
    }
}
