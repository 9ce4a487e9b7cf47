using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Telemetry.Fuzz.Tests.LineProtocol;

/// <summary>One input line as InfluxDB's documentation reads it. Field values: double, long (<c>i</c>), ulong (<c>u</c>, or a long that overflowed: null), bool, string.</summary>
public sealed record ReferenceLine(int Index, string Measurement, IReadOnlyList<(string Key, string Value)> Tags,
    IReadOnlyList<(string Key, object? Value)> Fields, string? Timestamp);

/// <summary>
/// The input side of the line-protocol fuzz test's oracle: a plain, allocating reading of a payload written from
/// InfluxDB's line-protocol reference (elements, whitespace, data types, escaping, comments) and the contract's three
/// measurements, sharing no code with the gateway's reader. Null when any line is not line protocol.
/// </summary>
public static partial class ReferenceLineProtocol
{
    [GeneratedRegex(@"^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")]
    private static partial Regex Float();

    [GeneratedRegex(@"^-?[0-9]+i$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[0-9]+u$")]
    private static partial Regex Unsigned();

    private static readonly string[] Measurements = ["telemetry", "events", "status"];
    private static readonly Dictionary<string, bool> Booleans = new()
    {
        ["t"] = true, ["T"] = true, ["true"] = true, ["True"] = true, ["TRUE"] = true,
        ["f"] = false, ["F"] = false, ["false"] = false, ["False"] = false, ["FALSE"] = false,
    };

    public static List<ReferenceLine>? Parse(byte[] payload)
    {
        if (!System.Text.Unicode.Utf8.IsValid(payload)) return null;
        var text = Encoding.UTF8.GetString(payload);
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var result = new List<ReferenceLine>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            line = line.TrimStart(' ', '\t');
            if (line.Length == 0 || line[0] == '#') continue;
            var parsed = ParseLine(line, i);
            if (parsed is null) return null;
            result.Add(parsed);
        }
        return result;
    }

    private static ReferenceLine? ParseLine(string line, int index)
    {
        int p = 0;
        var measurement = ReadName(line, ref p, ends: ", ", invalid: "");
        if (measurement is null || p == line.Length || !Measurements.Contains(measurement)) return null;
        var tags = new List<(string, string)>();
        while (line[p] == ',')
        {
            p++;
            var key = ReadName(line, ref p, ends: "=", invalid: ", ");
            if (key is null || p == line.Length) return null;
            p++;
            var value = ReadName(line, ref p, ends: ", ", invalid: "=");
            if (value is null || p == line.Length) return null;
            tags.Add((key, value));
        }
        var fields = new List<(string, object?)>();
        do
        {
            p++;
            var key = ReadName(line, ref p, ends: "=", invalid: ", ");
            if (key is null || p == line.Length) return null;
            p++;
            if (!TryReadValue(line, ref p, out var value)) return null;
            fields.Add((key, value));
        } while (p < line.Length && line[p] == ',');
        string? ts = null;
        if (p < line.Length)
        {
            ts = line[(p + 1)..];
            if (ts.Length == 0 || ts.Contains(' ')) return null;
        }
        return new ReferenceLine(index, measurement, tags, fields, ts);
    }

    /// <summary>Up to the first unescaped character of <paramref name="ends"/>; null when empty or when one of <paramref name="invalid"/> (or the end, if '=' is wanted) comes first.</summary>
    private static string? ReadName(string line, ref int p, string ends, string invalid)
    {
        var name = new StringBuilder();
        while (p < line.Length)
        {
            char c = line[p];
            if (c == '\\' && p + 1 < line.Length && line[p + 1] is ',' or '=' or ' ' or '\\')
            {
                name.Append(line[p + 1]);
                p += 2;
                continue;
            }
            if (ends.Contains(c)) break;
            if (invalid.Contains(c)) return null;
            name.Append(c);
            p++;
        }
        if (name.Length == 0) return null;
        if (ends == "=" && (p == line.Length || line[p] != '=')) return null;
        return name.ToString();
    }

    private static bool TryReadValue(string line, ref int p, out object? value)
    {
        value = null;
        if (p < line.Length && line[p] == '"')
        {
            var text = new StringBuilder();
            for (p++; ; p++)
            {
                if (p == line.Length) return false;
                char c = line[p];
                if (c == '"') break;
                if (c == '\\' && p + 1 < line.Length && line[p + 1] is '"' or '\\') c = line[++p];
                text.Append(c);
            }
            p++;
            value = text.ToString();
            return p == line.Length || line[p] is ',' or ' ';
        }
        int start = p;
        while (p < line.Length && line[p] is not (',' or ' ')) p++;
        var token = line[start..p];
        if (Booleans.TryGetValue(token, out bool flag)) value = flag;
        else if (Integer().IsMatch(token)) value = long.TryParse(token[..^1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) ? l : null;
        else if (Unsigned().IsMatch(token)) value = ulong.TryParse(token[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong u) ? u : null;
        else if (Float().IsMatch(token)) value = double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
        else return false;
        return true;
    }
}
