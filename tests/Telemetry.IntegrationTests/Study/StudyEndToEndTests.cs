using System.Diagnostics;
using System.Globalization;
using Telemetry.IntegrationTests.Gateway;
using Telemetry.IntegrationTests.Services;
using Telemetry.IntegrationTests.Simulator;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Study;

/// <summary>
/// A mixed fleet's two and a bit simulated days (three local days), with faults and deliberate sequence gaps,
/// go through a real mosquitto and the gateway into influxd; <c>telemetry-gateway study</c> then runs over
/// those days as a process, and its exports must agree with the simulator's ground truth at issue 12's
/// tolerances. The measured figures go to the test output and to <c>study-e2e-figures.md</c> beside the
/// test binaries (docs/research.md quotes them).
/// </summary>
[Collection("services")]
public sealed class StudyEndToEndTests(ServicesFixture services, ITestOutputHelper output)
{
    private const string Fleet = "--emoto 6 --h2bus 1 --h2truck 1 --h2forklift 2 --seed 5";
    private const string Faults = "truncated=0.002,wrong_type=0.002,out_of_range=0.002,unknown_key=0.002,no_fields=0.002," +
        "duplicate_field=0.002,stale_ts=0.002,bad_topic=0.002,duplicate=0.005,out_of_order=0.005,late=0.002,seq_gap=0.01,clock_skew=0.2";

    [Fact]
    public async Task The_study_finds_the_trips_sessions_swaps_refuels_and_completeness_the_simulator_made()
    {
        string db = InfluxServer.NewDatabaseName("study");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db);
        var work = Directory.CreateTempSubdirectory("study-e2e-").FullName;
        using var manifest = await DeviceSimProcess.RunAsync(
            $"{Fleet} --sim-day --sim-span 50h --no-pacing --faults {Faults} --connections 4 --quiet --broker 127.0.0.1:{services.Mosquitto.Port}",
            Path.Combine(work, "manifest.json"), output);
        try
        {
            long sent = manifest.RootElement.GetProperty("sent").GetProperty("messages").GetInt64();
            await gateway.WaitForAckedAsync(sent, TimeSpan.FromMinutes(3));
            var truth = GroundTruthFile.Read(manifest.RootElement);

            var outDir = Path.Combine(work, "study");
            var (exitCode, log) = await RunStudyAsync(db,
                $"--from {Date(truth.FirstLocalDate)} --to {Date(truth.LastLocalDate.AddDays(1))} --out \"{outDir}\" --write-back");
            output.WriteLine(log);
            Assert.True(exitCode == 0, $"study exited {exitCode}:\n{log}");
            Assert.True(File.Exists(Path.Combine(outDir, "report.html")), "no report.html");

            var comparison = TruthComparison.Compare(truth, StudyExports.Read(outDir));
            string figures = $"{sent:N0} messages, {truth.Trips.Count} trips, {truth.VehicleDays.Count} vehicle-days " +
                $"({Fleet}, --sim-span 50h, --faults {Faults})\n\n{comparison.Figures}";
            output.WriteLine(figures);
            await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "study-e2e-figures.md"), figures);
            Assert.True(comparison.Failures.Count == 0, string.Join("\n", comparison.Failures));

            // What --write-back put in InfluxDB is what the exports hold.
            Assert.Equal(StudyExports.ReadCsv(Path.Combine(outDir, "trips.csv")).Count,
                (await services.Influx.QueryAsync(db, "SELECT COUNT(\"duration_s\") FROM \"trips\"")).Count());
            Assert.Equal(StudyExports.ReadCsv(Path.Combine(outDir, "vehicle_days.csv")).Count,
                (await services.Influx.QueryAsync(db, "SELECT COUNT(\"samples\") FROM \"vehicle_days\"")).Count());
        }
        finally
        {
            await DeviceSimProcess.ClearRetainedStatusAsync(services.Mosquitto.Port, manifest.RootElement);
        }
    }

    private async Task<(int ExitCode, string Log)> RunStudyAsync(string db, string arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "telemetry-gateway.dll");
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" study {arguments}")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["Influx__Url"] = services.Influx.Url.ToString();
        info.Environment["Influx__Database"] = db;
        output.WriteLine($"telemetry-gateway study {arguments}");
        using var study = Process.Start(info)!;
        var stdout = study.StandardOutput.ReadToEndAsync();
        var stderr = study.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await study.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            study.Kill(entireProcessTree: true);
            throw new TimeoutException($"study did not finish in 5 minutes: {await stdout}{await stderr}");
        }
        return (study.ExitCode, await stdout + await stderr);
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
