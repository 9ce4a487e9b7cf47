using System.Buffers.Text;

namespace Telemetry.Contract.Decoding.Json;

/// <summary>
/// Converts the text of a JSON number token (already validated as JSON) exactly as
/// <c>Utf8JsonReader.TryGetDouble</c> / <c>TryGetInt64</c> do, with a fast path for the short
/// decimals telemetry is made of.
/// </summary>
internal static class JsonNumber
{
    private const int MaxExactDigits = 15;

    private static ReadOnlySpan<double> ExactPowersOf10 =>
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    public static bool TryGetDouble(ReadOnlySpan<byte> text, out double value) => TryGetDouble(text, out value, out _);

    /// <param name="hasExponent">the text has an exponent (<c>1e-5</c>), so it is not plain decimal</param>
    public static bool TryGetDouble(ReadOnlySpan<byte> text, out double value, out bool hasExponent)
    {
        hasExponent = false;
        if (TryParseShortDecimal(text, out value)) return true;
        hasExponent = text.IndexOfAny((byte)'e', (byte)'E') >= 0;
        if (Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length) return true;
        value = 0;
        return false;
    }

    public static bool TryGetInt64(ReadOnlySpan<byte> text, out long value)
    {
        bool negative = text.Length > 0 && text[0] == '-';
        var digits = negative ? text[1..] : text;
        if (digits.Length is > 0 and <= 18)
        {
            long magnitude = 0;
            foreach (byte b in digits)
            {
                uint digit = (uint)(b - '0');
                if (digit > 9) goto General;
                magnitude = magnitude * 10 + digit;
            }
            value = negative ? -magnitude : magnitude;
            return true;
        }
    General:
        if (Utf8Parser.TryParse(text, out value, out int consumed) && consumed == text.Length) return true;
        value = 0;
        return false;
    }

    private static bool TryParseShortDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = double.NaN;
        bool negative = text.Length > 0 && text[0] == '-';
        ulong mantissa = 0;
        int digits = 0, fractionDigits = 0;
        bool inFraction = false;
        for (int i = negative ? 1 : 0; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit <= 9)
            {
                mantissa = mantissa * 10 + digit;
                digits++;
                if (inFraction) fractionDigits++;
            }
            else if (text[i] == '.' && !inFraction) inFraction = true;
            else return false;
        }
        value = ShortDecimal(negative, mantissa, digits, fractionDigits);
        return !double.IsNaN(value);
    }

    /// <summary>
    /// The value of a number written without exponent as <paramref name="digits"/> digits (<paramref name="mantissa"/>)
    /// of which the last <paramref name="fractionDigits"/> follow the point; NaN when that needs the general parser.
    /// Up to 15 digits, the mantissa and the power of ten are both exact doubles, so one IEEE division gives the
    /// correctly rounded value, as a full parser would (Clinger's fast path).
    /// </summary>
    public static double ShortDecimal(bool negative, ulong mantissa, int digits, int fractionDigits)
    {
        // -0 is left to the general parser, which owns the sign of zero.
        if (digits is 0 or > MaxExactDigits || (negative && mantissa == 0)) return double.NaN;
        double value = mantissa / ExactPowersOf10[fractionDigits];
        return negative ? -value : value;
    }
}
