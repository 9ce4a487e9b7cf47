using System.Text.Json;

namespace Telemetry.Pipeline.Influx;

/// <summary>One line InfluxDB 3 refused, as its partial-write answer lists it.</summary>
/// <param name="LineNumber">1-based, counted in the request body</param>
/// <param name="OriginalLine">the line as InfluxDB quotes it (it may cut a long one short)</param>
/// <param name="Error">InfluxDB's reason</param>
public readonly record struct RefusedLine(int LineNumber, string OriginalLine, string Error);

/// <summary>
/// InfluxDB 3's answer to a write with <c>accept_partial=true</c> where some lines were refused (400, or 422
/// when a schema limit was hit); the other lines are stored:
/// <code>{"error":"partial write of line protocol occurred","data":[{"original_line":"…","line_number":2,"error_message":"…"}]}</code>
/// It lists at most <see cref="ListLimit"/> refused lines. 3.x answers the same on /api/v2/write and /write.
/// </summary>
internal static class PartialWriteAnswer
{
    public const string ErrorText = "partial write of line protocol occurred";

    /// <summary>InfluxDB 3 Core's documentation: the body lists rejected points "up to 100 points".</summary>
    public const int ListLimit = 100;

    /// <summary>The refused lines in line order, or null if <paramref name="body"/> is not such an answer.</summary>
    public static IReadOnlyList<RefusedLine>? TryParse(string body)
    {
        if (!body.Contains(ErrorText, StringComparison.Ordinal)) return null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String || error.GetString() != ErrorText ||
                !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                return null;
            var lines = new List<RefusedLine>(data.GetArrayLength());
            foreach (var item in data.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object ||
                    !item.TryGetProperty("line_number", out var number) || !number.TryGetInt32(out int lineNumber) || lineNumber < 1)
                    return null;
                lines.Add(new RefusedLine(lineNumber, Text(item, "original_line"), Text(item, "error_message")));
            }
            lines.Sort((a, b) => a.LineNumber.CompareTo(b.LineNumber));
            return lines.Count > 0 ? lines : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
