using System.Diagnostics;
using System.Text.RegularExpressions;
using Telemetry.IntegrationTests.Reliability;
using Telemetry.IntegrationTests.Services;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.ScaleOut;

/// <summary>
/// Three gateway processes share one stream through an MQTT 5 shared subscription on one mosquitto;
/// one is killed mid-stream and restarted with the same client id. Every point must land exactly once.
/// </summary>
[Collection("reliability")]
public sealed partial class SharedSubscriptionTests(ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private static (string Topic, string Payload) Sample(long start, int i) =>
        ($"fleet/bkk/emoto/EM-{i % 200:D4}/telemetry",
         $$"""{"ts":{{start + i}},"seq":{{i}},"speed_kmh":{{i % 120}}.5,"soc_pct":{{i % 100}},"batt_v":72.4,"lat":13.75,"lon":100.5}""");

    [Fact]
    public async Task Three_instances_write_every_point_once_and_a_killed_one_loses_nothing()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "scaleout";
        const int total = 100_000;
        var ports = new int[3];
        var gateways = new GatewayProcess[3];
        for (int n = 0; n < 3; n++)
        {
            ports[n] = FreePort.Next();
            gateways[n] = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, db, new Dictionary<string, string>
            {
                ["Mqtt__ClientId"] = $"gw-scale-{n}",
                ["Mqtt__TopicFilter"] = "$share/gateways/fleet/+/+/+/+",
                ["Observability__ListenUrl"] = $"http://127.0.0.1:{ports[n]}",
            });
        }
        try
        {
            long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
            int handedToPublisher = 0;
            await using var publisher = new ResilientPublisher(mosquitto.Port);
            var clock = Stopwatch.StartNew();
            var stream = publisher.PublishManyAsync(total, i => { Interlocked.Increment(ref handedToPublisher); return Sample(start, i); },
                pace: TimeSpan.FromMilliseconds(0.2)); // ~5,000 msg/s, so the stream is still running while the instance is down

            await influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", 30_000, TimeSpan.FromSeconds(60));
            var killedAt = clock.Elapsed;
            gateways[1].Kill();
            int publishedAtKill = Volatile.Read(ref handedToPublisher);
            await Task.Delay(3000);
            int publishedAtRestart = Volatile.Read(ref handedToPublisher);
            long storedAtRestart = await CountAsync(influx, db);
            await gateways[1].StartAgainAsync();
            var restartedAt = clock.Elapsed;
            await stream;
            var published = clock.Elapsed;

            long count = await influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", total, TimeSpan.FromSeconds(90));
            var all = clock.Elapsed;
            var sumRows = (await influx.QueryAsync(db, "SELECT SUM(seq) FROM telemetry")).Rows().ToArray();
            long sum = sumRows[0]["sum"].GetInt64();
            var received = new long[3];
            for (int n = 0; n < 3; n++) received[n] = await ReceivedAsync(ports[n]);

            output.WriteLine($"published {total} in {published.TotalSeconds:F1} s; all {count} stored after {all.TotalSeconds:F1} s; seq sum ok: {sum == (long)total * (total - 1) / 2}");
            output.WriteLine($"instance 1 killed at {killedAt.TotalSeconds:F1} s (published {publishedAtKill}), restarted at {restartedAt.TotalSeconds:F1} s (published {publishedAtRestart}, stored {storedAtRestart})");
            output.WriteLine($"messages received per instance (instance 1: since its restart): {string.Join(", ", received)}; publisher retries {publisher.Retries}");
            output.WriteLine($"peak RSS per instance: {string.Join(", ", gateways.Select(g => $"{g.PeakRssMb:F0} MB"))}");
            Assert.Equal(total, count);
            Assert.Equal((long)total * (total - 1) / 2, sum);
            Assert.True(received[1] > 0, "the restarted instance should take its share again");
        }
        finally
        {
            foreach (var gateway in gateways) await gateway.DisposeAsync();
        }
    }

    private static async Task<long> CountAsync(InfluxServer influx, string db) =>
        (await influx.QueryAsync(db, "SELECT COUNT(seq) FROM telemetry")).Count();

    private static async Task<long> ReceivedAsync(int port)
    {
        string metrics = await Http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        return long.Parse(ReceivedLine().Match(metrics).Groups[1].Value);
    }

    [GeneratedRegex(@"^telemetry_gateway_messages_received_total (\d+)$", RegexOptions.Multiline)]
    private static partial Regex ReceivedLine();
}
