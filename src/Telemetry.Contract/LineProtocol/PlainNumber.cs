using System.Globalization;

namespace Telemetry.Contract;

/// <summary>
/// Numbers as line protocol accepts them on every InfluxDB version: floats in shortest
/// round-trip form but in plain decimal (never an exponent), integers with the <c>i</c> suffix.
/// </summary>
public static class PlainNumber
{
    /// <summary>Enough for any finite double in plain decimal (5e-324 needs 326 bytes).</summary>
    public const int MaxDoubleLength = 340;
    public const int MaxIntegerLength = 21;

    public static int WriteDouble(double value, Span<byte> destination)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), "line protocol has no NaN or infinity");
        if (TryWriteFewDecimals(value, destination, out int written)) return written;
        Span<byte> shortest = stackalloc byte[32];
        value.TryFormat(shortest, out int length, "R", CultureInfo.InvariantCulture);
        shortest = shortest[..length];
        int e = shortest.IndexOf((byte)'E');
        if (e < 0)
        {
            shortest.CopyTo(destination);
            return length;
        }
        return ExpandExponent(shortest[..e], int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), destination);
    }

    private static int ExpandExponent(ReadOnlySpan<byte> mantissa, int exponent, Span<byte> destination)
    {
        int n = 0;
        if (mantissa[0] == '-')
        {
            destination[n++] = (byte)'-';
            mantissa = mantissa[1..];
        }
        Span<byte> digits = stackalloc byte[24];
        int digitCount = 0, integerDigits = mantissa.Length;
        for (int i = 0; i < mantissa.Length; i++)
        {
            if (mantissa[i] == '.') integerDigits = i;
            else digits[digitCount++] = mantissa[i];
        }
        digits = digits[..digitCount];
        int point = integerDigits + exponent;
        if (point <= 0)
        {
            destination[n++] = (byte)'0';
            destination[n++] = (byte)'.';
            destination.Slice(n, -point).Fill((byte)'0');
            n += -point;
            digits.CopyTo(destination[n..]);
            return n + digits.Length;
        }
        if (point >= digits.Length)
        {
            digits.CopyTo(destination[n..]);
            n += digits.Length;
            destination.Slice(n, point - digits.Length).Fill((byte)'0');
            return n + point - digits.Length;
        }
        digits[..point].CopyTo(destination[n..]);
        n += point;
        destination[n++] = (byte)'.';
        digits[point..].CopyTo(destination[n..]);
        return n + digits.Length - point;
    }

    /// <summary>
    /// A reading with few decimals (38.5, -0.25, 13.7563), the text "R" gives it without its cost: the fewest decimal
    /// places, at most six, that read back as exactly <paramref name="value"/>, below 10^9. False otherwise.
    /// </summary>
    private static bool TryWriteFewDecimals(double value, Span<byte> destination, out int written)
    {
        written = 0;
        if (!(Math.Abs(value) < 1e9) || value == 0 && double.IsNegative(value)) return false;
        long scale = 1;
        for (int decimals = 0; decimals <= 6; decimals++, scale *= 10)
        {
            // Units stay below 2^53, so units / scale is the correctly rounded double of the decimal: the comparison
            // is the round trip itself.
            double units = Math.Round(value * scale);
            if (units / scale != value) continue;
            written = WriteDecimal(units, scale, decimals, destination);
            return true;
        }
        return false;
    }

    /// <summary>
    /// A float reading (38.5, -0.25, 13.7563) as the text "R" gives it, without its cost: the fewest decimal places
    /// (at most six) that read back as <paramref name="value"/>, for magnitudes from 0.001 to below 10^7. False
    /// outside that (the caller formats the value itself). <paramref name="decimalValue"/> is the text's value.
    /// </summary>
    public static bool TryWriteShortFloat(float value, Span<byte> destination, out int written, out double decimalValue)
    {
        written = 0;
        decimalValue = 0;
        double exact = value;
        double magnitude = Math.Abs(exact);
        if (!(magnitude < 1e7) || (magnitude < 1e-3 && magnitude != 0) || float.IsNegative(value) && value == 0) return false;
        long scale = 1;
        for (int decimals = 0; decimals <= 6; decimals++, scale *= 10)
        {
            // Below 10^13 units, the product and the quotient are exact or correctly rounded doubles; the float
            // comparison is the round trip itself.
            double units = Math.Round(exact * scale);
            double candidate = units / scale;
            if ((float)candidate != value) continue;
            written = WriteDecimal(units, scale, decimals, destination);
            decimalValue = candidate;
            return true;
        }
        return false;
    }

    /// <summary>Writes units ÷ scale (scale = 10^decimals) in plain decimal.</summary>
    private static int WriteDecimal(double units, long scale, int decimals, Span<byte> destination)
    {
        long whole = (long)Math.Abs(units);
        int n = 0;
        if (units < 0) destination[n++] = (byte)'-';
        (whole / scale).TryFormat(destination[n..], out int integerDigits, default, CultureInfo.InvariantCulture);
        n += integerDigits;
        if (decimals == 0) return n;
        destination[n++] = (byte)'.';
        long fraction = whole % scale;
        for (int i = decimals - 1; i >= 0; i--, fraction /= 10) destination[n + i] = (byte)('0' + fraction % 10);
        return n + decimals;
    }

    /// <summary>Writes <c>123i</c>.</summary>
    public static int WriteInteger(long value, Span<byte> destination)
    {
        value.TryFormat(destination, out int length, default, CultureInfo.InvariantCulture);
        destination[length] = (byte)'i';
        return length + 1;
    }
}
