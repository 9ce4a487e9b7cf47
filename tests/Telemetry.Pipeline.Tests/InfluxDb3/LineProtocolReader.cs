using System.Globalization;
using System.Text;

namespace Telemetry.Pipeline.Tests.InfluxDb3;

/// <summary>
/// Line protocol as InfluxDB 3's write path reads it (the influxdb_line_protocol crate's v1 grammar), for the
/// emulator: measurement, tags and fields with their escapes, typed values, an optional timestamp. Floats with
/// an exponent and non-finite floats are refused, as by the parser InfluxDB 3 uses.
/// </summary>
internal static class LineProtocolReader
{
    public sealed record Point(string Table, IReadOnlyDictionary<string, string> Tags, IReadOnlyDictionary<string, object> Fields, long TimeNs);

    public static string TypeName(object value) => value switch
    {
        double => "float",
        long => "integer",
        ulong => "uinteger",
        bool => "boolean",
        _ => "string",
    };

    /// <summary>Null when the line parses, else the reason.</summary>
    public static string? TryParse(string line, string precision, long nowNs, out Point? point)
    {
        point = null;
        int at = 0;
        string measurement = ReadName(line, ref at, stopAtEquals: false);
        if (measurement.Length == 0) return "Invalid measurement was provided";
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        while (at < line.Length && line[at] == ',')
        {
            at++;
            string key = ReadName(line, ref at, stopAtEquals: true);
            if (at >= line.Length || line[at] != '=') return $"Tag set malformed: could not find equals sign in `{line[at..]}`";
            at++;
            string value = ReadName(line, ref at, stopAtEquals: false);
            if (key.Length == 0) return $"Expected tag key, got `{line[at..]}`";
            if (value.Length == 0) return $"Expected tag value, got `{line[at..]}`";
            if (!tags.TryAdd(key, value)) return $"invalid line protocol - multiple instances of '{key}' tag found";
        }
        if (at >= line.Length || line[at] != ' ') return "No fields were provided";
        while (at < line.Length && line[at] == ' ') at++;

        var fields = new Dictionary<string, object>(StringComparer.Ordinal);
        while (true)
        {
            string key = ReadName(line, ref at, stopAtEquals: true);
            if (key.Length == 0 || at >= line.Length || line[at] != '=') return fields.Count == 0 ? "No fields were provided" : $"Could not parse entire line. Found trailing content: `{line[at..]}`";
            at++;
            var value = ReadValue(line, ref at, out string? error);
            if (error is not null) return error;
            if (!fields.TryAdd(key, value!)) return $"invalid line protocol - multiple instances of '{key}' field found";
            if (at < line.Length && line[at] == ',')
            {
                at++;
                continue;
            }
            break;
        }

        long timeNs = nowNs;
        if (at < line.Length)
        {
            if (line[at] != ' ') return $"Could not parse entire line. Found trailing content: `{line[at..]}`";
            while (at < line.Length && line[at] == ' ') at++;
            int start = at;
            if (at < line.Length && line[at] == '-') at++;
            while (at < line.Length && char.IsAsciiDigit(line[at])) at++;
            if (at != line.Length || !long.TryParse(line.AsSpan(start, at - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ts))
                return $"Could not parse entire line. Found trailing content: `{line[start..]}`";
            timeNs = ToNanoseconds(ts, precision);
        }
        point = new Point(measurement, tags, fields, timeNs);
        return null;
    }

    private static long ToNanoseconds(long ts, string precision) => precision switch
    {
        "second" => ts * 1_000_000_000,
        "millisecond" => ts * 1_000_000,
        "microsecond" => ts * 1_000,
        "nanosecond" => ts,
        // auto: guessed from the magnitude, as InfluxDB 3 does
        _ => Math.Abs(ts) switch
        {
            < 5_000_000_000L => ts * 1_000_000_000,
            < 5_000_000_000_000L => ts * 1_000_000,
            < 5_000_000_000_000_000L => ts * 1_000,
            _ => ts,
        },
    };

    /// <summary>A measurement, tag key or value, or field key: up to an unescaped ',', ' ' (or '=' for keys).</summary>
    private static string ReadName(string line, ref int at, bool stopAtEquals)
    {
        var name = new StringBuilder();
        while (at < line.Length)
        {
            char c = line[at];
            if (c == '\\' && at + 1 < line.Length && line[at + 1] is ',' or ' ' or '=' or '\\')
            {
                name.Append(line[at + 1]);
                at += 2;
                continue;
            }
            if (c is ',' or ' ' || (stopAtEquals && c == '=')) break;
            name.Append(c);
            at++;
        }
        return name.ToString();
    }

    private static object? ReadValue(string line, ref int at, out string? error)
    {
        error = null;
        if (at < line.Length && line[at] == '"')
        {
            var text = new StringBuilder();
            at++;
            while (at < line.Length && line[at] != '"')
            {
                if (line[at] == '\\' && at + 1 < line.Length && line[at + 1] is '"' or '\\') at++;
                text.Append(line[at++]);
            }
            if (at >= line.Length)
            {
                error = "Unterminated string literal";
                return null;
            }
            at++;
            return text.ToString();
        }
        int start = at;
        while (at < line.Length && line[at] is not (',' or ' ')) at++;
        string raw = line[start..at];
        switch (raw)
        {
            case "t" or "T" or "true" or "True" or "TRUE": return true;
            case "f" or "F" or "false" or "False" or "FALSE": return false;
        }
        if (raw.EndsWith('i') && long.TryParse(raw.AsSpan(0, raw.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
            return integer;
        if (raw.EndsWith('u') && ulong.TryParse(raw.AsSpan(0, raw.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out ulong unsigned))
            return unsigned;
        if (IsPlainDecimal(raw) && double.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number)
            && double.IsFinite(number))
            return number;
        error = raw.Length == 0 ? "No fields were provided" : $"Unable to parse field value `{raw}`";
        return null;
    }

    /// <summary>-?digits[.digits], or -?.digits: no exponent, no sign on the exponent, no inf/NaN.</summary>
    private static bool IsPlainDecimal(string raw)
    {
        var s = raw.AsSpan();
        if (s.StartsWith("-")) s = s[1..];
        if (s.Length == 0) return false;
        int dot = s.IndexOf('.');
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? [] : s[(dot + 1)..];
        if (whole.Length == 0 && fraction.Length == 0) return false;
        foreach (char c in whole) if (!char.IsAsciiDigit(c)) return false;
        foreach (char c in fraction) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }
}
