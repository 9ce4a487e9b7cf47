using System.Text.Json;
using Telemetry.Contract.Decoding;
using Telemetry.IntegrationTests.Gateway;
using Telemetry.IntegrationTests.Services;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Simulator;

/// <summary>
/// The simulator publishes an accelerated day of a mixed fleet, faults included, through a real
/// mosquitto to the gateway and influxd, in each payload format: InfluxDB must hold exactly the points
/// the manifest expects and the gateway must have counted exactly the rejections it expects, reason by reason.
/// </summary>
[Collection("services")]
public sealed class ManifestEndToEndTests(ServicesFixture services, ITestOutputHelper output)
{
    [Theory]
    [InlineData("json")]
    [InlineData("senml")]
    [InlineData("senml-cbor")]
    [InlineData("sparkplug")]
    public async Task Influx_counts_and_rejections_match_the_simulator_manifest(string format)
    {
        string db = "manifest_" + format.Replace("-", "_");
        bool sparkplug = format == "sparkplug";
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db,
            sparkplug ? new Dictionary<string, string?> { ["Sparkplug:Enabled"] = "true", ["Sparkplug:HostId"] = "manifest-host" } : null);
        var manifestPath = Path.Combine(gateway.DeadLetterDirectory, "manifest.json");

        // JSON runs the longest day; the other formats share its code paths but their encoding, so a shorter one does.
        string span = format == "json" ? "--sim-span 12h --duration 20s" : "--sim-span 6h --duration 10s";
        using var manifest = await DeviceSimProcess.RunAsync(
            $"--format {format} --emoto 6 --h2bus 1 --h2truck 1 --h2forklift 2 --sim-day {span} --faults 0.01 --seed 11 " +
            // A Sparkplug edge node has a connection of its own (its NDEATH is the will).
            $"{(sparkplug ? "" : "--connections 4 ")}--quiet --broker 127.0.0.1:{services.Mosquitto.Port}", manifestPath, output);
        var root = manifest.RootElement;
        Assert.Equal(format, root.GetProperty("payload_format").GetString());
        try
        {
            await AssertMatchesAsync(gateway, db, root);
        }
        finally
        {
            if (!sparkplug) await DeviceSimProcess.ClearRetainedStatusAsync(services.Mosquitto.Port, root); // Sparkplug retains nothing
        }
    }

    private async Task AssertMatchesAsync(RunningGateway gateway, string db, JsonElement root)
    {
        long sent = root.GetProperty("sent").GetProperty("messages").GetInt64();
        await gateway.WaitForAckedAsync(sent, TimeSpan.FromSeconds(60));
        bool sparkplug = root.TryGetProperty("sparkplug", out var session);
        // The Sparkplug host also receives its own STATE and the NCMDs it sends (nothing written, nothing refused).
        if (sparkplug) await gateway.WaitUntilSettledAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        var expected = root.GetProperty("expected");
        var distinct = expected.GetProperty("distinct_points");
        Assert.Equal(distinct.GetProperty("telemetry").GetInt64(),
            (await services.Influx.QueryAsync(db, "SELECT COUNT(seq) FROM telemetry")).Count());
        long receiveTime = expected.GetProperty("receive_time_points").GetInt64();
        if (receiveTime == 0)
            Assert.Equal(distinct.GetProperty("status").GetInt64(), (await services.Influx.QueryAsync(db, "SELECT COUNT(online) FROM status")).Count());
        else
        {
            // Sparkplug: a BIRTH's online status has the BIRTH's time, a DEATH's offline status the receive time, which
            // the simulator cannot know; two DEATHs of one vehicle received in the same millisecond are one point.
            Assert.Equal(distinct.GetProperty("status").GetInt64() - receiveTime,
                (await services.Influx.QueryAsync(db, "SELECT COUNT(online) FROM status WHERE online = true")).Count());
            Assert.InRange((await services.Influx.QueryAsync(db, "SELECT COUNT(online) FROM status WHERE online = false")).Count(),
                receiveTime - receiveTime / 20 - 1, receiveTime);
        }
        var eventsByType = (await services.Influx.QueryAsync(db, "SELECT COUNT(*) FROM events GROUP BY \"type\"")).Series
            .ToDictionary(s => s.Tags["type"], s => s.Values[0].Skip(1).Where(v => v.ValueKind == JsonValueKind.Number).Max(v => v.GetInt64()));
        foreach (var type in root.GetProperty("events_by_type").EnumerateObject())
            Assert.Equal(type.Value.GetInt64(), eventsByType.GetValueOrDefault(type.Name));
        Assert.Equal(distinct.GetProperty("events").GetInt64(), eventsByType.Values.Sum());

        foreach (var reason in expected.GetProperty("rejections").EnumerateObject())
        {
            var counted = gateway.Counters.Rejections(Enum.GetValues<RejectReason>().Single(r => r.Name() == reason.Name));
            output.WriteLine($"{reason.Name}: expected {reason.Value}, counted {counted}");
            Assert.Equal(reason.Value.GetInt64(), counted);
        }
        Assert.Equal(expected.GetProperty("points_total").GetInt64(), gateway.Counters.PointsWritten);
        Assert.True(expected.GetProperty("rejections_total").GetInt64() > 0, "the run should include faults");
        if (sparkplug)
        {
            var counters = gateway.SparkplugCounters;
            output.WriteLine($"sparkplug: {session}; gateway: stale deaths {counters.StaleDeaths}, rebirths requested " +
                string.Join(", ", Enum.GetValues<Telemetry.Contract.Sparkplug.RebirthCause>().Select(c => $"{c} {counters.RebirthsRequested(c)}")));
            Assert.Equal(session.GetProperty("stale_ndeaths").GetInt64(), counters.StaleDeaths);
            Assert.True(session.GetProperty("stale_ndeaths").GetInt64() > 0 && session.GetProperty("rebirths_answered").GetInt64() > 0);
            // Every request the simulator saw was the gateway's; one sent as the simulator stopped may not have reached it.
            long requested = Enum.GetValues<Telemetry.Contract.Sparkplug.RebirthCause>().Sum(counters.RebirthsRequested);
            Assert.InRange(session.GetProperty("rebirths_requested").GetInt64(), 1, requested);
        }
    }
}
