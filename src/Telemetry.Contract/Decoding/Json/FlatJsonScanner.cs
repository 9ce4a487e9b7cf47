namespace Telemetry.Contract.Decoding.Json;

/// <summary>
/// A forward scanner for the common shape of a payload: objects whose values are numbers, plain
/// strings, booleans or null. It accepts only what it can prove is valid JSON; anything else (escapes,
/// nested values, control characters, malformed text) makes it give up, and the caller decodes the
/// payload again with <see cref="System.Text.Json.Utf8JsonReader"/>, which has the last word on validity.
/// </summary>
internal ref struct FlatJsonScanner(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _at;

    public readonly bool AtEnd => _at == _payload.Length;

    public void SkipWhitespace()
    {
        while (_at < _payload.Length && _payload[_at] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') _at++;
    }

    public bool TryConsume(byte expected)
    {
        if (_at >= _payload.Length || _payload[_at] != expected) return false;
        _at++;
        return true;
    }

    /// <summary>A quoted key without escapes, as a slice of the payload.</summary>
    public bool TryReadKey(out ReadOnlySpan<byte> key)
    {
        int start = _at + 1;
        key = default;
        if (!TryReadPlainString()) return false;
        key = _payload[start..(_at - 1)];
        return true;
    }

    /// <summary>A number, a plain string, a boolean or null (<paramref name="isNull"/>).</summary>
    public bool TryReadValue(out FieldValue value, out bool isNull)
    {
        value = default;
        isNull = false;
        if (_at >= _payload.Length) return false;
        int start = _at;
        switch (_payload[_at])
        {
            case (byte)'"':
                if (!TryReadPlainString()) return false;
                value = FieldValue.String(_payload[(start + 1)..(_at - 1)]);
                return true;
            case (byte)'t':
                value = FieldValue.Boolean(true);
                return TryReadLiteral("true"u8);
            case (byte)'f':
                value = FieldValue.Boolean(false);
                return TryReadLiteral("false"u8);
            case (byte)'n':
                isNull = true;
                return TryReadLiteral("null"u8);
            default:
                if (!TryReadNumber(out double knownValue)) return false;
                value = FieldValue.NumberText(_payload[start.._at], knownValue);
                return true;
        }
    }

    /// <summary>From the opening quote to just past the closing one; false on an escape or a control character.</summary>
    private bool TryReadPlainString()
    {
        // Keys and values are short: one scalar pass beats setting up vector searches for three conditions.
        int i = _at;
        if (i >= _payload.Length || _payload[i] != '"') return false;
        for (i++; i < _payload.Length; i++)
        {
            byte b = _payload[i];
            if (b == '"')
            {
                _at = i + 1;
                return true;
            }
            if (b == '\\' || b < 0x20) return false;
        }
        return false;
    }

    private bool TryReadLiteral(ReadOnlySpan<byte> literal)
    {
        if (!_payload[_at..].StartsWith(literal)) return false;
        _at += literal.Length;
        return true;
    }

    /// <summary>
    /// The JSON number grammar, <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>, computing the value on
    /// the way when <see cref="JsonNumber.ShortDecimal"/> can (NaN otherwise).
    /// </summary>
    private bool TryReadNumber(out double knownValue)
    {
        knownValue = double.NaN;
        var p = _payload;
        int i = _at;
        bool negative = i < p.Length && p[i] == '-';
        if (negative) i++;
        ulong mantissa = 0;
        int integerStart = i;
        if (i < p.Length && p[i] == '0') i++;
        else if (!TryReadDigits(p, ref i, ref mantissa)) return false;
        int integerDigits = i - integerStart, fractionDigits = 0;
        if (i < p.Length && p[i] == '.')
        {
            int fractionStart = ++i;
            if (!TryReadDigits(p, ref i, ref mantissa)) return false;
            fractionDigits = i - fractionStart;
        }
        if (i < p.Length && (p[i] | 0x20) == 'e')
        {
            i++;
            if (i < p.Length && p[i] is (byte)'+' or (byte)'-') i++;
            ulong ignored = 0;
            if (!TryReadDigits(p, ref i, ref ignored)) return false;
        }
        else knownValue = JsonNumber.ShortDecimal(negative, mantissa, integerDigits + fractionDigits, fractionDigits);
        _at = i;
        return true;
    }

    /// <summary>One digit or more, accumulated into <paramref name="mantissa"/> (which may overflow: it is only used up to 15 digits).</summary>
    private static bool TryReadDigits(ReadOnlySpan<byte> p, ref int i, ref ulong mantissa)
    {
        int start = i;
        uint digit;
        while (i < p.Length && (digit = (uint)(p[i] - '0')) <= 9)
        {
            mantissa = mantissa * 10 + digit;
            i++;
        }
        return i > start;
    }
}
