using Microsoft.Extensions.Configuration;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Secrets;
using Telemetry.Pipeline.Influx;
using Telemetry.Study.Derivation;
using Telemetry.Study.Derived;
using Telemetry.Study.Report;
using Telemetry.Study.Run;

namespace Telemetry.Gateway.Study;

/// <summary>
/// <c>telemetry-gateway study ...</c>: the study's answers (wire contract section 8) from what InfluxDB holds,
/// with the gateway's own <c>Influx:*</c> settings (appsettings.json, environment <c>Section__Key</c>, secret
/// files) and the thresholds of section <c>Study</c>. Exit 0 done (also when the range holds no data),
/// 1 InfluxDB unreachable or refusing, 2 bad flags or settings.
/// </summary>
internal static class StudyCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?>? overrides = null, CancellationToken ct = default)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(StudyArguments.Usage);
            return 0;
        }
        var parsed = StudyArguments.Parse(args, out var problem);
        if (parsed is null)
        {
            error.WriteLine($"study: {problem}");
            error.WriteLine(StudyArguments.Usage);
            return 2;
        }

        InfluxOptions influx;
        StudySettings settings;
        try
        {
            var configuration = new ConfigurationManager();
            configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
            configuration.AddEnvironmentVariables();
            if (overrides is not null) configuration.AddInMemoryCollection(overrides);
            SecretFiles.Apply(configuration);
            influx = configuration.GetSection(InfluxOptions.Section).Get<InfluxOptions>() ?? new InfluxOptions();
            settings = configuration.GetSection(StudySettings.Section).Get<StudySettings>() ?? new StudySettings();
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"Configuration error: {e.Message}{(e.InnerException is null ? "" : " " + e.InnerException.Message)}");
            return 2;
        }
        var problems = new InfluxOptionsValidator().Validate(null, influx).Failures?.ToList() ?? [];
        problems.AddRange(settings.Validate());
        if (parsed.TimeZone is { } tz && LocalDays.TryFindZone(tz) is null) problems.Add($"--tz '{tz}' is not a known time zone (an IANA name such as Asia/Bangkok)");
        if (problems.Count > 0)
        {
            error.WriteLine("Configuration error (fix these settings in appsettings.json or as environment variables, Section__Key):");
            foreach (var p in problems) error.WriteLine($"  - {p}");
            return 2;
        }

        try
        {
            var result = await StudyRunner.RunAsync(parsed, influx, settings, output, ct);
            var paths = await StudyRunner.ExportAsync(result, parsed.OutDirectory, ct);
            string report = StudyReport.Write(result, parsed.OutDirectory);
            Summarise(result, parsed, paths, output);
            output.WriteLine($"study: report {Path.GetFullPath(report)}");
            return 0;
        }
        catch (StudyException e)
        {
            error.WriteLine($"study: {e.Message}");
            return 1;
        }
        catch (IOException e)
        {
            error.WriteLine($"study: cannot write into --out '{parsed.OutDirectory}': {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"study: cannot write into --out '{parsed.OutDirectory}': {e.Message}");
            return 1;
        }
    }

    private static void Summarise(StudyResult r, StudyArguments args, IReadOnlyList<string> paths, TextWriter output)
    {
        if (r.PointsRead == 0)
            output.WriteLine($"study: no telemetry from {r.From:yyyy-MM-dd} to {r.To:yyyy-MM-dd} (exclusive)" +
                (args.Site is null ? "" : $" at site {args.Site}") + (args.Kind is null ? "" : $" of kind {args.Kind}") + ": the exports are empty");
        output.WriteLine($"study: {r.PointsRead} telemetry points read in {r.WallSeconds:0.0} s ({r.QueryWaitSeconds:0.0} s waiting for InfluxDB)");
        output.WriteLine($"study: {r.Trips.Count} trips, {r.ChargeSessions.Count} charge sessions, {r.Swaps.Count} swaps, {r.Refuels.Count} refuels, " +
            $"{r.VehicleDays.Count} vehicle-days ({r.VehicleDays.Select(d => d.Vehicle).Distinct().Count()} vehicles)");
        if (args.WriteBack) output.WriteLine($"study: {r.PointsWritten} derived points written back");
        output.WriteLine($"study: exports in {Path.GetFullPath(args.OutDirectory)} ({paths.Count} files)");
    }
}
