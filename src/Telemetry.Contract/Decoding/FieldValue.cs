namespace Telemetry.Contract.Decoding;

/// <summary>What a value is, as far as the catalogue's types care.</summary>
public enum FieldValueKind : byte
{
    /// <summary>A number's text in JSON number grammar (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>).</summary>
    NumberText,
    /// <summary>A binary floating-point number (CBOR, protobuf).</summary>
    Double,
    /// <summary>A binary or suffixed integer (CBOR, protobuf, line protocol <c>12i</c>).</summary>
    Integer,
    Boolean,
    /// <summary>A string's content, unescaped, UTF-8.</summary>
    String,
    /// <summary>A value no signal type accepts (an object, an array, bytes, a string whose escapes are not valid Unicode).</summary>
    Unsupported,
}

/// <summary>
/// One value as a reader hands it to <see cref="PointBuilder"/>, whatever the format: the builder decides,
/// from the signal's type, whether it is acceptable and how it is written. Absent values (JSON <c>null</c>)
/// are not handed over at all.
/// </summary>
/// <remarks>
/// Numbers: any of the three number kinds goes to a float or an integer signal. A float signal writes the
/// value as a float (an integer becomes <c>38</c>, never <c>38i</c>); an integer signal takes an integer, or
/// a float that is exactly one (<c>12.0</c>). <see cref="FieldValueKind.NumberText"/> is there so that a
/// text format does not pay for formatting: a plain decimal (no exponent) is written as it was sent, after
/// its value has been range-checked.
/// </remarks>
public readonly ref struct FieldValue
{
    private FieldValue(FieldValueKind kind, ReadOnlySpan<byte> text = default, double number = double.NaN, long integer = 0)
    {
        Kind = kind;
        Text = text;
        DoubleValue = number;
        IntegerValue = integer;
    }

    public FieldValueKind Kind { get; }
    /// <summary>A <see cref="FieldValueKind.NumberText"/>'s text or a <see cref="FieldValueKind.String"/>'s content.</summary>
    public ReadOnlySpan<byte> Text { get; }
    /// <summary>A <see cref="FieldValueKind.Double"/>'s value; for number text, its value when the reader already knows it exactly, else NaN.</summary>
    public double DoubleValue { get; }
    /// <summary>An <see cref="FieldValueKind.Integer"/>'s value; a <see cref="FieldValueKind.Boolean"/>'s as 1 or 0.</summary>
    public long IntegerValue { get; }
    public bool BooleanValue => IntegerValue != 0;

    /// <param name="text">in JSON number grammar: the reader has checked it</param>
    /// <param name="knownValue">its exact value if the reader computed it while reading, else NaN</param>
    public static FieldValue NumberText(ReadOnlySpan<byte> text, double knownValue = double.NaN) => new(FieldValueKind.NumberText, text, knownValue);
    public static FieldValue Double(double value) => new(FieldValueKind.Double, number: value);
    public static FieldValue Integer(long value) => new(FieldValueKind.Integer, integer: value);
    public static FieldValue Boolean(bool value) => new(FieldValueKind.Boolean, integer: value ? 1 : 0);
    /// <param name="utf8">the string's content (not escaped); text that is not valid UTF-8 is refused as <c>field_invalid</c></param>
    public static FieldValue String(ReadOnlySpan<byte> utf8) => new(FieldValueKind.String, utf8);
    public static FieldValue Unsupported => new(FieldValueKind.Unsupported);
}
