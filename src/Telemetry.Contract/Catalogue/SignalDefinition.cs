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
    internal byte[][] AllowedValuesUtf8 { get; private set; } = [];
    internal (byte[] Text, bool Value)[] PathStringsUtf8 { get; private set; } = [];

    internal void Compile()
    {
        FieldKeyEscaped = LineProtocolEscaping.EscapeKey(Key);
        AllowedValuesUtf8 = AllowedValues?.Select(Encoding.UTF8.GetBytes).ToArray() ?? [];
        PathStringsUtf8 = PathStrings?.Select(p => (Encoding.UTF8.GetBytes(p.Key), p.Value)).ToArray() ?? [];
    }
}
