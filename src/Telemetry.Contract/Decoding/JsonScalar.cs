using System.Text.Json;

namespace Telemetry.Contract.Decoding;

/// <summary>
/// One member's value as the decoder's rules see it, whichever reader found it: the token type and
/// its text (a number's text, or a string's unescaped content without quotes). Objects and arrays
/// carry no text.
/// </summary>
internal readonly ref struct JsonScalar(JsonTokenType type, ReadOnlySpan<byte> text, double knownValue = double.NaN)
{
    public JsonTokenType Type { get; } = type;
    public ReadOnlySpan<byte> Text { get; } = text;
    /// <summary>A number's value when the scanner already computed it exactly while reading a short plain decimal; NaN when not.</summary>
    public double KnownValue { get; } = knownValue;
}
