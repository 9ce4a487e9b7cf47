using System.Buffers;
using System.Globalization;
using Telemetry.Contract.Decoding.Json;
using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Decoding.LineProtocol;

/// <summary>
/// InfluxDB line protocol from gateways that already speak it (wire contract section 7, stream <c>lp</c>): one point per
/// line, read as spans over the payload and handed to the point handler, which checks every value against the catalogue
/// and writes its own line: nothing of the input is copied through but checked number text. UTF-8 is checked by the caller.
/// One instance per thread: it keeps scratch buffers for unescaping.
/// </summary>
/// <remarks>
/// <para>Syntax, as InfluxDB documents it: <c>measurement[,tag=value…] field=value[,field=value…] [timestamp]</c>, lines
/// split by <c>\n</c> (a <c>\r</c> before it is dropped), exactly one space between the sections. Blank lines and lines whose
/// first character after spaces or tabs is <c>#</c> are skipped. In measurements, tag keys and values and field keys a
/// backslash escapes <c>,</c>, <c>=</c>, space and backslash (any other backslash is itself); in string values it
/// escapes <c>"</c> and backslash. Floats (<c>1</c>, <c>-1.5</c>, <c>1e3</c>, <c>.5</c>), integers <c>1i</c>, unsigned
/// integers <c>1u</c>, strings <c>"…"</c> and booleans <c>t T true True TRUE f F false False FALSE</c>. Timestamps are
/// epoch milliseconds (the contract's precision).</para>
/// <para>What the contract adds: the measurement is <c>telemetry</c>, <c>events</c> or <c>status</c>; a tag other than
/// <c>type</c> on <c>events</c> is refused (<c>unknown_key</c>) and the point written with the topic's tags; on
/// <c>events</c> a lone <c>n=1i</c> (the contract's "no fields") is not a field. A line that is not line protocol, or names
/// another measurement, makes the whole message unreadable (<c>bad_payload</c>), as invalid JSON does.</para>
/// </remarks>
internal sealed class LineProtocolReader
{
    private static ReadOnlySpan<byte> TypeKey => "type"u8;

    /// <summary>Where a name ends (unescaped), and the backslash that may escape it.</summary>
    private static readonly SearchValues<byte> MeasurementEnd = SearchValues.Create(", \\"u8);
    private static readonly SearchValues<byte> KeyOrTagValueEnd = SearchValues.Create("=, \\"u8);
    private static readonly SearchValues<byte> StringEnd = SearchValues.Create("\"\\"u8);

    // A key and a value are unescaped here only while the handler is given them.
    private readonly PooledArray<byte> _key = new(256);
    private readonly PooledArray<byte> _value = new(1024);
    private int _keyUsed, _valueUsed;

    /// <returns>null when read; <c>bad_payload</c> when a line is not line protocol or names a measurement the contract has not</returns>
    public RejectReason? Read<THandler>(ReadOnlySpan<byte> payload, ref THandler handler) where THandler : IPointHandler
    {
        _key.Release(_keyUsed);
        _value.Release(_valueUsed);
        _keyUsed = _valueUsed = 0;
        for (int index = 0; !payload.IsEmpty; index++)
        {
            int newline = payload.IndexOf((byte)'\n');
            var line = newline < 0 ? payload : payload[..newline];
            payload = newline < 0 ? default : payload[(newline + 1)..];
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            int start = line.IndexOfAnyExcept((byte)' ', (byte)'\t');
            if (start < 0 || line[start] == '#') continue;
            if (!TryReadLine(line[start..], index, ref handler)) return RejectReason.BadPayload;
        }
        return null;
    }

    private bool TryReadLine<THandler>(ReadOnlySpan<byte> line, int index, ref THandler handler) where THandler : IPointHandler
    {
        int at = ScanName(line, 0, MeasurementEnd);
        if (at == 0 || at == line.Length || !TryMeasurement(line[..at], out var measurement)) return false;
        handler.BeginPoint(index, measurement);

        while (line[at] == ',')
        {
            int keyStart = at + 1;
            at = ScanName(line, keyStart, KeyOrTagValueEnd);
            if (at == keyStart || at == line.Length || line[at] != '=') return false;
            var key = line[keyStart..at];
            int valueStart = at + 1;
            at = ScanName(line, valueStart, KeyOrTagValueEnd);
            if (at == valueStart || at == line.Length || line[at] == '=') return false;
            Tag(key, line[valueStart..at], measurement, ref handler);
        }

        // line[at] is the space before the fields.
        do
        {
            int keyStart = at + 1;
            at = ScanName(line, keyStart, KeyOrTagValueEnd);
            if (at == keyStart || at == line.Length || line[at] != '=') return false;
            var key = line[keyStart..at];
            at++;
            if (!TryField(line, ref at, key, measurement, ref handler)) return false;
        } while (at < line.Length && line[at] == ',');

        if (at < line.Length)
        {
            // The space before the timestamp: what follows is all of it.
            var ts = line[(at + 1)..];
            if (ts.IsEmpty || ts.Contains((byte)' ')) return false;
            if (TryInteger(ts, out long unixMs)) handler.Timestamp(unixMs);
            else handler.TimestampInvalid();
        }
        handler.EndPoint();
        return true;
    }

    private static bool TryMeasurement(ReadOnlySpan<byte> name, out StreamKind measurement)
    {
        if (name.SequenceEqual("telemetry"u8)) measurement = StreamKind.Telemetry;
        else if (name.SequenceEqual("events"u8)) measurement = StreamKind.Event;
        else if (name.SequenceEqual("status"u8)) measurement = StreamKind.Status;
        else
        {
            measurement = default;
            return false;
        }
        return true;
    }

    /// <summary>An event's <c>type</c> is its one tag; any other tag is refused, the topic's tags win.</summary>
    private void Tag<THandler>(ReadOnlySpan<byte> keyAsSent, ReadOnlySpan<byte> value, StreamKind measurement, ref THandler handler)
        where THandler : IPointHandler
    {
        if (measurement == StreamKind.Event && Unescape(keyAsSent, _key, ref _keyUsed).SequenceEqual(TypeKey))
            handler.Field(TypeKey, FieldValue.String(Unescape(value, _value, ref _valueUsed)), keyAsSent);
        else
            handler.FieldRefused(RejectReason.UnknownKey, keyAsSent);
    }

    /// <summary>One field value from <paramref name="at"/>; false when it is not line protocol.</summary>
    private bool TryField<THandler>(ReadOnlySpan<byte> line, ref int at, ReadOnlySpan<byte> keyAsSent, StreamKind measurement, ref THandler handler)
        where THandler : IPointHandler
    {
        var key = Unescape(keyAsSent, _key, ref _keyUsed);
        if (at < line.Length && line[at] == '"')
        {
            int start = at + 1;
            at = start;
            bool escaped = false;
            while (true)
            {
                int next = line[at..].IndexOfAny(StringEnd);
                if (next < 0) return false;
                at += next;
                if (line[at] == '"') break;
                escaped = true;
                at += at + 1 < line.Length && line[at + 1] is (byte)'"' or (byte)'\\' ? 2 : 1;
            }
            var raw = line[start..at];
            at++;
            if (at < line.Length && line[at] is not ((byte)',' or (byte)' ')) return false;
            handler.Field(key, FieldValue.String(escaped ? UnescapeString(raw) : raw), keyAsSent);
            return true;
        }

        int end = line[at..].IndexOfAny((byte)',', (byte)' ');
        var text = end < 0 ? line[at..] : line.Slice(at, end);
        at += text.Length;
        if (text.IsEmpty) return false;
        switch (text[^1])
        {
            case (byte)'i':
                if (!IsInteger(text[..^1], signed: true)) return false;
                // The contract's marker of an event without fields is not a field of its own.
                if (measurement == StreamKind.Event && text is [(byte)'1', (byte)'i'] && key is [(byte)'n']) return true;
                handler.Field(key, TryInteger(text[..^1], out long integer) ? FieldValue.Integer(integer) : FieldValue.Unsupported, keyAsSent);
                return true;
            case (byte)'u':
                if (!IsInteger(text[..^1], signed: false)) return false;
                handler.Field(key, TryInteger(text[..^1], out long unsigned) ? FieldValue.Integer(unsigned) : FieldValue.Unsupported, keyAsSent);
                return true;
        }
        if (text[0] is not ((byte)'-' or (byte)'.' or (>= (byte)'0' and <= (byte)'9')))
        {
            if (!TryBoolean(text, out bool flag)) return false;
            handler.Field(key, FieldValue.Boolean(flag), keyAsSent);
            return true;
        }
        if (!TryFloat(text, out bool jsonGrammar, out double known)) return false;
        if (jsonGrammar) handler.Field(key, FieldValue.NumberText(text, known), keyAsSent);
        else if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out double value)) handler.Field(key, FieldValue.Double(value), keyAsSent);
        else return false;
        return true;
    }

    /// <summary>Where the name that starts at <paramref name="at"/> ends: the first of <paramref name="ends"/> not escaped, or the line's end.</summary>
    private static int ScanName(ReadOnlySpan<byte> line, int at, SearchValues<byte> ends)
    {
        while (true)
        {
            int next = line[at..].IndexOfAny(ends);
            if (next < 0) return line.Length;
            at += next;
            if (line[at] != '\\') return at;
            at += at + 1 < line.Length && IsNameEscape(line[at + 1]) ? 2 : 1;
        }
    }

    private static bool IsNameEscape(byte b) => b is (byte)',' or (byte)'=' or (byte)' ' or (byte)'\\';

    /// <summary>A name without its escapes: the slice itself when it has none.</summary>
    private static ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> raw, PooledArray<byte> scratch, ref int used)
    {
        if (!raw.Contains((byte)'\\')) return raw;
        var destination = scratch.Grow(raw.Length, 0);
        used = Math.Max(used, raw.Length);
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == '\\' && i + 1 < raw.Length && IsNameEscape(raw[i + 1])) b = raw[++i];
            destination[n++] = b;
        }
        return destination.AsSpan(0, n);
    }

    private ReadOnlySpan<byte> UnescapeString(ReadOnlySpan<byte> raw)
    {
        var destination = _value.Grow(raw.Length, 0);
        _valueUsed = Math.Max(_valueUsed, raw.Length);
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == '\\' && i + 1 < raw.Length && raw[i + 1] is (byte)'"' or (byte)'\\') b = raw[++i];
            destination[n++] = b;
        }
        return destination.AsSpan(0, n);
    }

    /// <summary><c>-?[0-9]+</c> (signed) or <c>[0-9]+</c>.</summary>
    private static bool IsInteger(ReadOnlySpan<byte> text, bool signed)
    {
        if (signed && text.Length > 0 && text[0] == '-') text = text[1..];
        return !text.IsEmpty && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    /// <summary>An integer that fits in a long (a <c>u</c> value above it fits no signal).</summary>
    private static bool TryInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        return IsInteger(text, signed: true) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryBoolean(ReadOnlySpan<byte> text, out bool value)
    {
        value = text[0] is (byte)'t' or (byte)'T';
        return text switch
        {
            [(byte)'t' or (byte)'T' or (byte)'f' or (byte)'F'] => true,
            _ => text.SequenceEqual("true"u8) || text.SequenceEqual("True"u8) || text.SequenceEqual("TRUE"u8)
                || text.SequenceEqual("false"u8) || text.SequenceEqual("False"u8) || text.SequenceEqual("FALSE"u8),
        };
    }

    /// <summary>
    /// A float as InfluxDB reads one: <c>-?</c>, digits with at most one point (at least one digit), then an optional
    /// <c>[eE][+-]?[0-9]+</c>. <paramref name="jsonGrammar"/>: it is also a JSON number (no leading zeros, digits on both
    /// sides of the point), which the builder may copy; <paramref name="known"/> its value when it has no exponent, else NaN.
    /// </summary>
    private static bool TryFloat(ReadOnlySpan<byte> text, out bool jsonGrammar, out double known)
    {
        jsonGrammar = false;
        known = double.NaN;
        int i = 0;
        bool negative = text[0] == '-';
        if (negative) i++;
        int integerStart = i;
        ulong mantissa = 0;
        int digits = 0, fractionDigits = 0;
        for (; i < text.Length && char.IsAsciiDigit((char)text[i]); i++, digits++) mantissa = mantissa * 10 + (uint)(text[i] - '0');
        int integerDigits = digits;
        bool point = i < text.Length && text[i] == '.';
        if (point)
            for (i++; i < text.Length && char.IsAsciiDigit((char)text[i]); i++, digits++, fractionDigits++) mantissa = mantissa * 10 + (uint)(text[i] - '0');
        if (digits == 0) return false;
        bool exponent = i < text.Length && text[i] is (byte)'e' or (byte)'E';
        if (exponent)
        {
            i++;
            if (i < text.Length && text[i] is (byte)'+' or (byte)'-') i++;
            int exponentStart = i;
            while (i < text.Length && char.IsAsciiDigit((char)text[i])) i++;
            if (i == exponentStart) return false;
        }
        if (i != text.Length) return false;
        jsonGrammar = integerDigits > 0 && (!point || fractionDigits > 0) && (integerDigits == 1 || text[integerStart] != '0');
        if (jsonGrammar && !exponent) known = JsonNumber.ShortDecimal(negative, mantissa, digits, fractionDigits);
        return true;
    }
}
