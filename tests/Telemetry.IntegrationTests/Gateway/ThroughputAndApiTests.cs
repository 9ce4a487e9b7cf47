using System.Diagnostics;
using Telemetry.IntegrationTests.Services;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>A sustained QoS 1 flood (the MQTTnet receive-stall trap), and the v2 write API.</summary>
[Collection("services")]
public sealed class ThroughputAndApiTests(ServicesFixture services, ITestOutputHelper output)
{
    [Fact]
    public async Task Two_hundred_thousand_qos1_messages_all_arrive()
    {
        string db = InfluxServer.NewDatabaseName("flood");
        const int publishers = 4, perPublisher = 50_000, total = publishers * perPublisher;
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db);
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(async p =>
        {
            await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
            await publisher.PublishManyAsync(perPublisher, i =>
                ($"fleet/pathum-thani/emoto/EM-{p:D2}{i % 100:D3}/telemetry",
                 $$"""{"ts":{{start + i}},"seq":{{i}},"speed_kmh":{{i % 120}}.25,"lat":14.02,"lon":100.52,"soc_pct":{{i % 100}},"batt_v":72.4,"batt_a":-18.3,"ignition":true}"""));
        }));
        double publishSeconds = clock.Elapsed.TotalSeconds;
        await gateway.WaitForAckedAsync(total, TimeSpan.FromSeconds(120));
        double seconds = clock.Elapsed.TotalSeconds;

        long stored = await services.Influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", total, TimeSpan.FromSeconds(20));
        output.WriteLine($"{total} messages: published in {publishSeconds:F1} s, all acked after {seconds:F1} s ({total / seconds:F0} msg/s end to end); {gateway.Counters.BatchesWritten} batches");
        Assert.Equal(total, stored);
        Assert.Equal(total, gateway.Counters.PointsWritten);
    }

    [Fact]
    public async Task The_v2_write_api_lands_in_victoria_metrics()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, vm.Url, "fleetv2",
            new Dictionary<string, string?> { ["Influx:Api"] = "V2", ["Influx:Org"] = "nedo", ["Influx:CreateDatabase"] = "false" },
            clientId: "gw-v2");
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 30_000;

        await publisher.PublishAsync("fleet/map-ta-phut/h2forklift/FL-V2/telemetry", $$"""{"ts":{{ts}},"h2_mass_kg":0.75,"lift_height_m":2.5}""");
        await gateway.WaitForAckedAsync(1, TimeSpan.FromSeconds(20));

        var export = await vm.WaitForExportAsync("{__name__=~\"telemetry_.*\",vehicle_id=\"FL-V2\"}", 2, TimeSpan.FromSeconds(15));
        output.WriteLine(export);
        Assert.Contains("\"__name__\":\"telemetry_h2_mass_kg\"", export);
        Assert.Contains("\"site\":\"map-ta-phut\"", export);
        Assert.Contains("\"kind\":\"h2forklift\"", export);
        Assert.Contains("[0.75]", export);
        Assert.Contains("[2.5]", export);
        Assert.Contains($"[{ts}]", export);
    }
}
