using System.Text.RegularExpressions;
using Telemetry.IntegrationTests.Gateway;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Observability;

/// <summary>Every series family a running gateway puts on /metrics is listed, by its full name, in docs/operations.md.</summary>
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

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await http.GetStringAsync($"{url}/metrics");
        var families = TypeLine().Matches(metrics).Select(m => m.Groups[1].Value).ToArray();
        Assert.Contains("telemetry_gateway_point_age_seconds", families);
        Assert.Contains("telemetry_gateway_seq_lost", families);

        string page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "operations.md"));
        var missing = families.Where(name => !Regex.IsMatch(page, $@"`{Regex.Escape(name)}(`|\{{)")).ToArray();
        Assert.True(missing.Length == 0, $"on /metrics but not in docs/operations.md: {string.Join(", ", missing)}");
    }

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
