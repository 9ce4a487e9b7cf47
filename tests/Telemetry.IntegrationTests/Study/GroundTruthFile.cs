using System.Text.Json;

namespace Telemetry.IntegrationTests.Study;

/// <summary>One derived row, truth or study, with the tags and time every table shares and its named values.</summary>
public sealed record DerivedRow(string Site, string Kind, string VehicleId, long TimeMs, IReadOnlyDictionary<string, string?> Values)
{
    public double? Number(string name) =>
        Values.TryGetValue(name, out var text) && !string.IsNullOrEmpty(text)
            ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public string? Text(string name) => Values.TryGetValue(name, out var text) && !string.IsNullOrEmpty(text) ? text : null;

    /// <summary>End of a span: <c>end_ms</c>, else the start plus <c>duration_s</c>.</summary>
    public long EndMs => Number("end_ms") is { } end ? (long)end : TimeMs + (long)Math.Round((Number("duration_s") ?? 0) * 1000);
}

/// <summary>The five derived tables of wire contract section 8, as a study exports them or as the ground truth has them.</summary>
public class DerivedTables
{
    public required IReadOnlyList<DerivedRow> Trips { get; init; }
    public required IReadOnlyList<DerivedRow> ChargeSessions { get; init; }
    public required IReadOnlyList<DerivedRow> Swaps { get; init; }
    public required IReadOnlyList<DerivedRow> Refuels { get; init; }
    public required IReadOnlyList<DerivedRow> VehicleDays { get; init; }
}

/// <summary>The <c>truth</c> section of a device-sim manifest (device-sim/README.md), table by table.</summary>
public sealed class GroundTruthFile : DerivedTables
{
    public required DateOnly FirstLocalDate { get; init; }
    public required DateOnly LastLocalDate { get; init; }

    public static GroundTruthFile Read(JsonElement manifest)
    {
        var truth = manifest.GetProperty("truth");
        static DateOnly Local(long ms) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromHours(7)).DateTime);
        return new GroundTruthFile
        {
            Trips = Rows(truth, "trips", "start_ms"),
            ChargeSessions = Rows(truth, "charge_sessions", "start_ms"),
            Swaps = Rows(truth, "swaps", "time_ms"),
            Refuels = Rows(truth, "refuels", "start_ms"),
            VehicleDays = Rows(truth, "vehicle_days", "day_start_ms"),
            FirstLocalDate = Local(manifest.GetProperty("sim_start_ms").GetInt64()),
            LastLocalDate = Local(manifest.GetProperty("sim_end_ms").GetInt64()),
        };
    }

    private static List<DerivedRow> Rows(JsonElement truth, string table, string timeName) =>
        truth.GetProperty(table).EnumerateArray().Select(row =>
        {
            var values = new Dictionary<string, string?>();
            foreach (var p in row.EnumerateObject())
                values[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => p.Value.GetString(),
                    _ => p.Value.GetRawText(),
                };
            return new DerivedRow(row.GetProperty("site").GetString()!, row.GetProperty("kind").GetString()!,
                row.GetProperty("vehicle_id").GetString()!, row.GetProperty(timeName).GetInt64(), values);
        }).ToList();
}
