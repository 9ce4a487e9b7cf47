using System.Diagnostics;
using System.Text.Json;
using Telemetry.IntegrationTests.Gateway;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Simulator;

/// <summary>device-sim (built into this test's output) as a process, and the clean-up its retained messages need.</summary>
public static class DeviceSimProcess
{
    /// <summary>Runs device-sim with these flags plus <c>--manifest</c>, asserts it exits 0, and returns the manifest.</summary>
    public static async Task<JsonDocument> RunAsync(string arguments, string manifestPath, ITestOutputHelper output)
    {
        var sim = Process.Start(new ProcessStartInfo("dotnet",
            $"\"{Path.Combine(AppContext.BaseDirectory, "device-sim.dll")}\" {arguments} --manifest \"{manifestPath}\"")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var stderr = sim.StandardError.ReadToEndAsync();
        var stdout = sim.StandardOutput.ReadToEndAsync();
        await sim.WaitForExitAsync();
        output.WriteLine(await stderr);
        output.WriteLine(await stdout);
        Assert.Equal(0, sim.ExitCode);
        return JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath));
    }

    /// <summary>The simulated vehicles left retained status messages: clear them so later tests' gateways do not receive them.</summary>
    public static async Task ClearRetainedStatusAsync(int mqttPort, JsonElement manifest)
    {
        await using var publisher = await TestPublisher.ConnectAsync(mqttPort);
        foreach (var vehicle in manifest.GetProperty("vehicles").EnumerateArray())
            await publisher.PublishAsync(vehicle.GetProperty("topic_prefix").GetString() + "status", "", retain: true);
    }
}
