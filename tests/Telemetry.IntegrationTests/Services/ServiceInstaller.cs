using System.Diagnostics;

namespace Telemetry.IntegrationTests.Services;

/// <summary>Makes sure the server binaries are installed, running scripts/install-services at most once per process.</summary>
public static class ServiceInstaller
{
    static readonly string[] requiredBinaries = ["mosquitto", "influxd", "influx", "mosquitto_sub", "victoria-metrics", "promtool", "chromium"];

    // mosquitto lives in /usr/sbin, which is not on a normal user's PATH.
    static readonly string[] systemBinaryDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    static readonly TimeSpan installTimeout = TimeSpan.FromMinutes(15);

    // Lazy caches a failure too, so a broken installation fails every test quickly with the same message.
    static readonly Lazy<bool> installation = new(InstallIfMissing, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void EnsureInstalled() => _ = installation.Value;

    /// <summary>Full path of an installed binary, installing the services first if needed.</summary>
    public static string Locate(string binary)
    {
        EnsureInstalled();
        return Find(binary) ?? throw new InvalidOperationException($"{binary} is not installed (searched PATH and {string.Join(", ", systemBinaryDirectories)}).");
    }

    static string? Find(string binary)
    {
        var pathDirectories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return pathDirectories.Concat(systemBinaryDirectories)
            .Select(directory => Path.Combine(directory, binary))
            .FirstOrDefault(File.Exists);
    }

    static bool InstallIfMissing()
    {
        if (requiredBinaries.All(binary => Find(binary) is not null))
            return true;

        var script = RepoPaths.Script("install-services");
        var startInfo = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add(script);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {script}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(installTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{script} did not finish within {installTimeout}.\n{stdout.Result}\n{stderr.Result}");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed with exit code {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");

        var stillMissing = requiredBinaries.Where(binary => Find(binary) is null).ToList();
        if (stillMissing.Count > 0)
            throw new InvalidOperationException($"{script} succeeded but {string.Join(", ", stillMissing)} is still missing:\n{stdout.Result}\n{stderr.Result}");
        return true;
    }
}
