using System.Text.RegularExpressions;
using Telemetry.IntegrationTests.Broker;
using Telemetry.IntegrationTests.Gateway;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Observability;

/// <summary>Every series family a running gateway puts on /metrics, in subscriber and embedded-broker mode, is listed by its full name in docs/operations.md.</summary>
[Collection("services")]
public sealed partial class MetricsDocumentedTests(ServicesFixture services)
{
    [Fact]
    public async Task Every_metric_on_the_endpoint_is_in_the_operations_page()
    {
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, InfluxServer.NewDatabaseName("metrics_doc"),
            new Dictionary<string, string?> { ["Observability:ListenUrl"] = url });
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        // Series labelled by kind appear once a vehicle of that kind has sent something.
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await publisher.PublishManyAsync(2, i => ("fleet/bkk/emoto/DOC-1/telemetry", $$"""{"ts":{{ts + i}},"seq":{{i}},"speed_kmh":1}"""));
        await gateway.WaitForAckedAsync(2, TimeSpan.FromSeconds(30));

        var families = await FamiliesAsync(url);
        Assert.Contains("telemetry_gateway_point_age_seconds", families);
        Assert.Contains("telemetry_gateway_seq_lost", families);
        Assert.Contains("telemetry_gateway_mqtt_connected", families);
        AssertDocumented(families);
    }

    [Fact]
    public async Task Every_metric_of_the_embedded_broker_is_in_the_operations_page()
    {
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, InfluxServer.NewDatabaseName("metrics_doc_broker"),
            [("EM-DOC", "bkk", "emoto")], extra: new Dictionary<string, string?> { ["Observability:ListenUrl"] = url });
        using (var device = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-DOC", gateway.Passwords["EM-DOC"])))
        {
            await device.PublishAsync("fleet/bkk/emoto/EM-DOC/telemetry", $$"""{"ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"seq":1,"speed_kmh":1}""");
            await device.PublishAsync("fleet/bkk/emoto/EM-OTHER/telemetry", """{"seq":1,"speed_kmh":1}""");
            string metrics = await ScrapeAsync(url);
            Assert.Contains("telemetry_gateway_broker_devices_connected 1\n", metrics);
            Assert.Contains("telemetry_gateway_broker_listening 1\n", metrics);
            Assert.Contains("telemetry_gateway_broker_publishes_refused_total{reason=\"not_authorized\"} 1\n", metrics);
        }
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.BadUserNameOrPassword,
            await EmbeddedBrokerTests.RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-DOC", "wrong")));

        var families = await FamiliesAsync(url);
        Assert.Contains("telemetry_gateway_broker_connections_refused_total", families);
        Assert.DoesNotContain("telemetry_gateway_mqtt_connected", families);
        Assert.Contains("telemetry_gateway_broker_connections_refused_total 1\n", await ScrapeAsync(url));
        AssertDocumented(families);
    }

    private static async Task<string> ScrapeAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync($"{url}/metrics");
    }

    private static async Task<string[]> FamiliesAsync(string url) =>
        TypeLine().Matches(await ScrapeAsync(url)).Select(m => m.Groups[1].Value).ToArray();

    private static void AssertDocumented(IEnumerable<string> families)
    {
        string page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "operations.md"));
        var missing = families.Where(name => !Regex.IsMatch(page, $@"`{Regex.Escape(name)}(`|\{{)")).ToArray();
        Assert.True(missing.Length == 0, $"on /metrics but not in docs/operations.md: {string.Join(", ", missing)}");
    }

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
