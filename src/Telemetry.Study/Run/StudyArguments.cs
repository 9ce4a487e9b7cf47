using System.Globalization;

namespace Telemetry.Study.Run;

/// <summary>What one <c>study</c> run is asked to do (the command line, parsed).</summary>
public sealed record StudyArguments
{
    public DateOnly? From { get; init; }
    /// <summary>Exclusive: --from 2026-11-20 --to 2026-11-27 is one week.</summary>
    public DateOnly? To { get; init; }
    public string? Site { get; init; }
    public string? Kind { get; init; }
    public string OutDirectory { get; init; } = "";
    public bool WriteBack { get; init; }
    public bool Incremental { get; init; }
    public string? TimeZone { get; init; }

    public const string Usage = """
        usage: telemetry-gateway study --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [options]
          --from DATE     first local day of the study (inclusive)
          --to DATE       the local day after the last one (exclusive): --from 2026-11-20 --to 2026-11-27 is a week
          --out DIR       where trips/charge_sessions/swaps/refuels/vehicle_days .csv and .parquet (and report.html) go
          --site S        only this site
          --kind K        only this vehicle kind
          --write-back    also write the derived rows into the database (idempotent: a re-run adds no point)
          --incremental   nightly run: from the last day in vehicle_days up to yesterday, written back
                          (--from is needed only before the first write-back; --to defaults to today)
          --tz ZONE       time zone of the local days (default Study:TimeZone, Asia/Bangkok)
        InfluxDB: the gateway's Influx:* settings (appsettings.json, environment Influx__Url, secret files).
        """;

    /// <summary>Parses the flags; on a problem returns null and says why in <paramref name="problem"/>.</summary>
    public static StudyArguments? Parse(IReadOnlyList<string> args, out string? problem)
    {
        var parsed = new StudyArguments();
        problem = null;
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            string? Value()
            {
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) return args[++i];
                return null;
            }
            switch (flag)
            {
                case "--write-back": parsed = parsed with { WriteBack = true }; continue;
                case "--incremental": parsed = parsed with { Incremental = true, WriteBack = true }; continue;
                case "--from" or "--to" or "--site" or "--kind" or "--out" or "--tz":
                    break;
                default:
                    problem = $"unknown option '{flag}'";
                    return null;
            }
            if (Value() is not { Length: > 0 } value)
            {
                problem = $"{flag} needs a value";
                return null;
            }
            switch (flag)
            {
                case "--from" or "--to":
                    if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    {
                        problem = $"{flag} '{value}' is not a date YYYY-MM-DD";
                        return null;
                    }
                    parsed = flag == "--from" ? parsed with { From = date } : parsed with { To = date };
                    break;
                case "--site": parsed = parsed with { Site = value }; break;
                case "--kind": parsed = parsed with { Kind = value }; break;
                case "--out": parsed = parsed with { OutDirectory = value }; break;
                case "--tz": parsed = parsed with { TimeZone = value }; break;
            }
        }
        if (parsed.OutDirectory.Length == 0) problem = "--out is required";
        else if (!parsed.Incremental && parsed.From is null) problem = "--from is required (or --incremental)";
        else if (!parsed.Incremental && parsed.To is null) problem = "--to is required (or --incremental)";
        else if (parsed.From is { } f && parsed.To is { } t && t <= f) problem = $"--to {t:yyyy-MM-dd} must be after --from {f:yyyy-MM-dd} (--to is exclusive)";
        return problem is null ? parsed : null;
    }
}
