using System.Globalization;
using System.Text;

namespace Telemetry.Fuzz.Tests;

public enum FieldKind { Float, Integer, Bool, String }

public readonly record struct ParsedField(string Key, FieldKind Kind, string Text);

public sealed record ParsedLine(string Measurement, IReadOnlyList<(string Key, string Value)> Tags, IReadOnlyList<ParsedField> Fields, long Timestamp);

/// <summary>
/// A deliberately strict line-protocol parser: only what InfluxDB 1.x, 2.x and 3.x all accept, in the
/// forms the contract allows (plain-decimal floats, <c>i</c> integers, true/false, quoted strings
/// escaping only <c>"</c> and <c>\</c>, no control characters), one line per <c>\n</c>.
/// </summary>
public static class StrictLineProtocol
{
    public static List<ParsedLine> ParseAll(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8)) throw new FormatException("output is not valid UTF-8");
        var text = Encoding.UTF8.GetString(utf8);
        var lines = new List<ParsedLine>();
        if (text.Length == 0) return lines;
        if (!text.EndsWith('\n')) throw new FormatException("output does not end with a newline");
        foreach (var line in text[..^1].Split('\n')) lines.Add(Parse(line));
        return lines;
    }

    public static ParsedLine Parse(string line)
    {
        int at = 0;
        string measurement = ReadName(line, ref at, inTag: false);
        var tags = new List<(string, string)>();
        while (at < line.Length && line[at] == ',')
        {
            at++;
            string key = ReadName(line, ref at, inTag: true);
            Expect(line, ref at, '=');
            string value = ReadName(line, ref at, inTag: true);
            tags.Add((key, value));
        }
        Expect(line, ref at, ' ');
        var fields = new List<ParsedField>();
        do
        {
            if (fields.Count > 0) at++;
            string key = ReadName(line, ref at, inTag: true);
            Expect(line, ref at, '=');
            fields.Add(ReadFieldValue(line, ref at, key));
        } while (at < line.Length && line[at] == ',');
        Expect(line, ref at, ' ');
        var ts = line[at..];
        if (ts.Length == 0 || !long.TryParse(ts, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long timestamp) || ts.StartsWith('+'))
            throw new FormatException($"bad timestamp '{ts}'");
        return new ParsedLine(measurement, tags, fields, timestamp);
    }

    private static void Expect(string line, ref int at, char c)
    {
        if (at >= line.Length || line[at] != c) throw new FormatException($"expected '{c}' at {at}");
        at++;
    }

    /// <summary>A measurement, tag key/value or field key: escapes only ',', ' ' and '='; no control characters; not empty.</summary>
    private static string ReadName(string line, ref int at, bool inTag)
    {
        var name = new StringBuilder();
        while (at < line.Length)
        {
            char c = line[at];
            if (c == '\\')
            {
                if (at + 1 >= line.Length || line[at + 1] is not (',' or ' ' or '=')) throw new FormatException($"bad escape at {at}");
                name.Append(line[at + 1]);
                at += 2;
                continue;
            }
            if (c is ',' or ' ' || (inTag && c == '=')) break;
            if (char.IsControl(c)) throw new FormatException($"control character in a name at {at}");
            if (!inTag && c == '=') throw new FormatException("'=' in a measurement");
            name.Append(c);
            at++;
        }
        if (name.Length == 0) throw new FormatException($"empty name at {at}");
        return name.ToString();
    }

    private static ParsedField ReadFieldValue(string line, ref int at, string key)
    {
        if (at < line.Length && line[at] == '"')
        {
            var value = new StringBuilder();
            at++;
            while (true)
            {
                if (at >= line.Length) throw new FormatException("unterminated string");
                char c = line[at];
                if (c == '"') break;
                if (c == '\\')
                {
                    if (at + 1 >= line.Length || line[at + 1] is not ('"' or '\\')) throw new FormatException($"bad string escape at {at}");
                    value.Append(line[at + 1]);
                    at += 2;
                    continue;
                }
                if (char.IsControl(c)) throw new FormatException($"control character in a string at {at}");
                value.Append(c);
                at++;
            }
            at++;
            return new ParsedField(key, FieldKind.String, value.ToString());
        }
        int start = at;
        while (at < line.Length && line[at] is not (',' or ' ')) at++;
        string raw = line[start..at];
        if (raw is "true" or "false") return new ParsedField(key, FieldKind.Bool, raw);
        if (raw.EndsWith('i'))
        {
            var digits = raw[..^1];
            if (!IsPlainInteger(digits) || !long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                throw new FormatException($"bad integer '{raw}'");
            return new ParsedField(key, FieldKind.Integer, digits);
        }
        if (!IsPlainDecimal(raw) || !double.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            || !double.IsFinite(d))
            throw new FormatException($"bad float '{raw}'");
        return new ParsedField(key, FieldKind.Float, raw);
    }

    private static bool IsPlainInteger(string s)
    {
        int i = s.StartsWith('-') ? 1 : 0;
        if (i == s.Length) return false;
        for (; i < s.Length; i++) if (!char.IsAsciiDigit(s[i])) return false;
        return true;
    }

    /// <summary><c>-?digits(.digits)?</c>: no exponent, no NaN or infinity, no leading '+', no bare '.'.</summary>
    private static bool IsPlainDecimal(string s)
    {
        int i = s.StartsWith('-') ? 1 : 0, digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; digits++; }
        if (digits == 0) return false;
        if (i == s.Length) return true;
        if (s[i] != '.') return false;
        i++;
        int fraction = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; fraction++; }
        return fraction > 0 && i == s.Length;
    }
}
