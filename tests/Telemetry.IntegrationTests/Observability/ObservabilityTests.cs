using System.Net;
using System.Text.Json;
using Telemetry.IntegrationTests.Gateway;
using Telemetry.IntegrationTests.Services;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Observability;

/// <summary>/metrics, /healthz, /readyz and gateway_quality against a real mosquitto and influxd.</summary>
[Collection("services")]
public sealed class ObservabilityTests(ServicesFixture services, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static Dictionary<string, string?> Settings(string listenUrl) => new()
    {
        ["Observability:ListenUrl"] = listenUrl,
        ["Quality:IntervalSeconds"] = "1",
    };

    [Fact]
    public async Task Quality_counts_add_up_per_vehicle_and_metrics_and_health_report_them()
    {
        string db = InfluxServer.NewDatabaseName("quality");
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db, Settings(url));
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;

        // Per vehicle: seq 0..299, with deliberate faults. Gaps: never sent. Duplicates: sent twice.
        // bad_json and a 30-day-old ts are rejected; their seq never reaches InfluxDB either, so they count as lost.
        const int vehicles = 4, perVehicle = 300;
        static bool Gap(int seq) => seq % 50 == 7;
        static bool Duplicate(int seq) => seq % 40 == 3;
        static bool BadJson(int seq) => seq % 60 == 11;
        static bool Stale(int seq) => seq % 70 == 13;
        var messages = new List<(string Topic, string Payload)>();
        for (int v = 0; v < vehicles; v++)
        {
            string topic = $"fleet/bkk/emoto/QA-{v}/telemetry";
            for (int seq = 0; seq < perVehicle; seq++)
            {
                if (Gap(seq)) continue;
                long ts = Stale(seq) ? start - 30L * 86_400_000 : start + seq * 1000L;
                string payload = $$"""{"ts":{{ts}},"seq":{{seq}},"speed_kmh":{{seq % 90}}.5,"soc_pct":50}""";
                if (BadJson(seq)) payload = payload[..^3];
                messages.Add((topic, payload));
                if (Duplicate(seq)) messages.Add((topic, payload));
            }
        }
        messages.Add(("fleet/bkk/unknown-kind/QA-0/telemetry", """{"seq":1}"""));
        await publisher.PublishManyAsync(messages.Count, i => messages[i]);
        await gateway.WaitForAckedAsync(messages.Count, TimeSpan.FromSeconds(30));

        var sent = Enumerable.Range(0, perVehicle).Where(s => !Gap(s)).ToArray();
        long received = sent.Sum(s => Duplicate(s) ? 2 : 1);
        long rejected = sent.Where(s => BadJson(s) || Stale(s)).Sum(s => Duplicate(s) ? 2 : 1);
        long duplicates = sent.Count(s => Duplicate(s) && !BadJson(s) && !Stale(s));
        long distinctWritten = sent.Count(s => !BadJson(s) && !Stale(s));
        long lost = perVehicle - distinctWritten;

        var quality = await WaitForQualityAsync(db, vehicles, received, TimeSpan.FromSeconds(20));
        var points = (await services.Influx.QueryAsync(db, "SELECT COUNT(seq) FROM telemetry GROUP BY vehicle_id")).Series
            .ToDictionary(s => s.Tags["vehicle_id"], s => s.Values[0][1].GetInt64());
        foreach (var (vehicle, q) in quality)
        {
            output.WriteLine($"{vehicle}: {string.Join(", ", q.Select(f => $"{f.Key}={f.Value}"))}; telemetry points {points[vehicle]}");
            Assert.Equal(received, q["received"]);
            Assert.Equal(q["received"], q["written"] + q["rejected"]);
            Assert.Equal(rejected, q["rejected"]);
            Assert.Equal(distinctWritten, q["seq_received"]);
            Assert.Equal(points[vehicle], q["seq_received"]);
            Assert.Equal(lost, q["seq_lost"]);
            Assert.Equal(duplicates, q["seq_duplicates"]);
        }

        string metrics = await Http.GetStringAsync($"{url}/metrics");
        output.WriteLine(metrics);
        Assert.Contains($"telemetry_gateway_messages_received_total {messages.Count}\n", metrics);
        Assert.Contains($"telemetry_gateway_rejections_total{{reason=\"bad_topic\"}} 1\n", metrics);
        Assert.Contains($"telemetry_gateway_samples_total{{kind=\"emoto\",outcome=\"rejected\"}} {rejected * vehicles}\n", metrics);
        Assert.Contains($"telemetry_gateway_seq_lost{{kind=\"emoto\"}} {lost * vehicles}\n", metrics);
        Assert.Contains("telemetry_gateway_messages_inflight 0\n", metrics);
        Assert.Contains("telemetry_gateway_mqtt_connected 1\n", metrics);
        Assert.Matches(@"telemetry_gateway_batch_write_duration_seconds_count [1-9]", metrics);
        Assert.Matches(@"telemetry_gateway_process_cpu_time_seconds_total \d", metrics);
        Assert.DoesNotContain("QA-0", metrics);

        using var healthz = await Http.GetAsync($"{url}/healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        var (status, body) = await ReadyAsync(url);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_answers_503_and_names_influx_while_it_is_down()
    {
        await using var influx = await InfluxServer.StartAsync();
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, influx.Url, InfluxServer.NewDatabaseName("readyz"), Settings(url));
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(url)).Status);

        await influx.StopAsync();
        var (status, body) = await WaitForReadinessAsync(url, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15));
        output.WriteLine(body.ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("not_ready", body.GetProperty("status").GetString());
        Assert.False(body.GetProperty("checks").GetProperty("influx").GetProperty("ok").GetBoolean());
        Assert.True(body.GetProperty("checks").GetProperty("mqtt").GetProperty("ok").GetBoolean());

        await influx.StartAgainAsync();
        Assert.Equal(HttpStatusCode.OK, (await WaitForReadinessAsync(url, HttpStatusCode.OK, TimeSpan.FromSeconds(15))).Status);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(string url)
    {
        using var response = await Http.GetAsync($"{url}/readyz");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> WaitForReadinessAsync(string url, HttpStatusCode expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await ReadyAsync(url);
            if (answer.Status == expected || DateTime.UtcNow > deadline) return answer;
            await Task.Delay(250);
        }
    }

    private async Task<Dictionary<string, Dictionary<string, long>>> WaitForQualityAsync(string db, int vehicles, long received, TimeSpan timeout)
    {
        const string query = "SELECT SUM(received) AS received, SUM(written) AS written, SUM(rejected) AS rejected, SUM(seq_received) AS seq_received, " +
            "SUM(seq_lost) AS seq_lost, SUM(seq_duplicates) AS seq_duplicates FROM gateway_quality GROUP BY vehicle_id";
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await services.Influx.QueryAsync(db, query);
            var sums = result.Series.ToDictionary(s => s.Tags["vehicle_id"],
                s => s.Columns.Skip(1).Select((c, i) => (c, s.Values[0][i + 1].GetInt64())).ToDictionary(x => x.c, x => x.Item2));
            if (sums.Count == vehicles && sums.Values.All(q => q["received"] >= received) || DateTime.UtcNow > deadline) return sums;
            await Task.Delay(250);
        }
    }
}
