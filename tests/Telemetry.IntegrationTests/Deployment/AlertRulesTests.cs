using System.Diagnostics;
using System.Text.RegularExpressions;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Deployment;

/// <summary>
/// The shipped Prometheus rules (deploy/prometheus) are valid and each alert fires on series made for it and stays
/// silent on the others, checked by promtool (Debian's prometheus package, installed by scripts/install-services).
/// </summary>
public sealed partial class AlertRulesTests
{
    private static string Folder => Path.Combine(RepoPaths.Root, "deploy", "prometheus");
    private const string Rules = "telemetry-gateway.rules.yml", Tests = "telemetry-gateway.rules.test.yml";

    [Fact]
    public void The_rules_file_is_valid()
    {
        var (exitCode, output) = Promtool("check", "rules", Rules);
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public void Every_alert_fires_on_its_series_and_stays_silent_otherwise()
    {
        var (exitCode, output) = Promtool("test", "rules", Tests);
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public void Every_alert_has_a_firing_case_and_a_silent_case()
    {
        var alerts = AlertName().Matches(File.ReadAllText(Path.Combine(Folder, Rules))).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(alerts);
        // One alert_rule_test entry per "- eval_time:" block.
        var cases = File.ReadAllText(Path.Combine(Folder, Tests)).Split("- eval_time:").Skip(1)
            .Select(block => (Alert: CaseAlert().Match(block).Groups[1].Value, Silent: block.Contains("exp_alerts: []"))).ToArray();
        foreach (var alert in alerts)
        {
            Assert.True(cases.Any(c => c.Alert == alert && c.Silent), $"{alert} has no case where it must stay silent");
            Assert.True(cases.Any(c => c.Alert == alert && !c.Silent), $"{alert} has no case where it must fire");
        }
    }

    private static (int ExitCode, string Output) Promtool(params string[] arguments)
    {
        var start = new ProcessStartInfo(ServiceInstaller.Locate("promtool"))
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"promtool {string.Join(' ', arguments)} did not finish in 2 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"^\s*- alert: (\w+)", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname: (\w+)")]
    private static partial Regex CaseAlert();
}
