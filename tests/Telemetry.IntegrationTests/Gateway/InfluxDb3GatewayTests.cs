using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Telemetry.Gateway.Hosting;
using Telemetry.IntegrationTests.Services;
using Telemetry.Pipeline.Tests.InfluxDb3;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>
/// The gateway against InfluxDB 3: real mosquitto, and for InfluxDB 3 the emulator that answers as 3.x Core
/// documents (no InfluxDB 3 is installable here; 1.6.7 is the version run for real).
/// </summary>
[Collection("services")]
public sealed class InfluxDb3GatewayTests(ServicesFixture services)
{
    private const string Token = "apiv3_gateway-test-token";

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static Dictionary<string, string?> Settings(string client, string? listenUrl = null) => new()
    {
        ["Mqtt:Client"] = client,
        ["Influx:Token"] = Token,
        ["Observability:ListenUrl"] = listenUrl ?? "",
    };

    [Theory]
    [EachMqttClient]
    public async Task Auto_finds_3x_creates_the_database_and_writes_telemetry_events_and_status_through_write_lp(string client)
    {
        using var influx3 = InfluxDb3Emulator.Start(s => s.Token = Token);
        string listenUrl = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, influx3.Url, "fleet3", Settings(client, listenUrl),
            clientId: $"gw-v3-{client}");
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = NowMs() - 60_000;

        await publisher.PublishAsync("fleet/amata-chonburi/emoto/EM-3001/telemetry",
            $$"""{"ts":{{ts}},"seq":7,"speed_kmh":38.5,"soc_pct":76.2,"ignition":true,"battery_id":"BP-1"}""");
        await publisher.PublishAsync("fleet/amata-chonburi/emoto/EM-3001/event", $$"""{"ts":{{ts + 1}},"type":"battery_swap","battery_id":"BP-2"}""");
        await publisher.PublishAsync("fleet/amata-chonburi/emoto/EM-3001/status", $$"""{"ts":{{ts + 2}},"online":true,"rssi_dbm":-71}""");
        await gateway.WaitForAckedAsync(3, TimeSpan.FromSeconds(20));

        Assert.Contains("fleet3", influx3.Databases);
        var telemetry = Assert.Single(influx3.Rows("fleet3", "telemetry"));
        Assert.Equal(ts * 1_000_000, telemetry.TimeNs);
        Assert.Equal(new Dictionary<string, string> { ["kind"] = "emoto", ["site"] = "amata-chonburi", ["vehicle_id"] = "EM-3001" }, telemetry.Tags);
        Assert.Equal(7L, telemetry.Fields["seq"]);
        Assert.Equal(38.5, telemetry.Fields["speed_kmh"]);
        Assert.Equal(true, telemetry.Fields["ignition"]);
        Assert.Equal("BP-1", telemetry.Fields["battery_id"]);
        var swap = Assert.Single(influx3.Rows("fleet3", "events"));
        Assert.Equal("battery_swap", swap.Tags["type"]);
        Assert.Equal((ts + 1) * 1_000_000, swap.TimeNs);
        Assert.Equal(-71.0, Assert.Single(influx3.Rows("fleet3", "status")).Fields["rssi_dbm"]);

        var writes = influx3.Requests.Where(r => r.Path == "/api/v3/write_lp").ToArray();
        Assert.NotEmpty(writes);
        Assert.All(writes, w => Assert.Equal($"Bearer {Token}", w.Authorization));
        Assert.All(writes, w => Assert.Equal("millisecond", w.Query["precision"]));
        Assert.DoesNotContain(influx3.Requests, r => r.Path.StartsWith("/api/v2/", StringComparison.Ordinal) || r.Path == "/write");

        // 3.10+ answers /ping only with the token: readiness must send it.
        using var http = new HttpClient();
        var ready = JsonDocument.Parse(await http.GetStringAsync($"{listenUrl}/readyz")).RootElement;
        Assert.True(ready.GetProperty("checks").GetProperty("influx").GetProperty("ok").GetBoolean(), ready.ToString());
    }

    [Fact]
    public async Task Lines_3x_refuses_are_dead_lettered_with_its_reason_and_the_rest_is_written()
    {
        using var influx3 = InfluxDb3Emulator.Start(s => s.Token = Token);
        // Someone else wrote lat as a string first: 3.x will refuse every line with a float lat.
        using (var http = new HttpClient { BaseAddress = influx3.Url })
        using (var seed = new HttpRequestMessage(HttpMethod.Post, "api/v3/write_lp?db=refuse3&precision=millisecond")
               { Content = new StringContent($"telemetry,kind=emoto,site=bkk,vehicle_id=OTHER lat=\"north\" {NowMs() - 120_000}") })
        {
            seed.Headers.Authorization = new("Bearer", Token);
            Assert.True((await http.SendAsync(seed)).IsSuccessStatusCode);
        }

        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, influx3.Url, "refuse3", Settings("Pipelines"), clientId: "gw-v3-refuse");
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = NowMs() - 60_000;
        for (int i = 0; i < 5; i++)
            await publisher.PublishAsync($"fleet/bkk/emoto/EM-R{i}/telemetry",
                i % 2 == 0 ? $$"""{"ts":{{ts + i}},"speed_kmh":{{i}}.5}""" : $$"""{"ts":{{ts + i}},"speed_kmh":{{i}}.5,"lat":13.75}""");
        await gateway.WaitForAckedAsync(5, TimeSpan.FromSeconds(20));

        var stored = influx3.Rows("refuse3", "telemetry").Where(r => r.Tags["vehicle_id"] != "OTHER").Select(r => r.Tags["vehicle_id"]).Order();
        Assert.Equal(["EM-R0", "EM-R2", "EM-R4"], stored);
        var letters = gateway.DeadLetters().Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(2, letters.Length);
        Assert.All(letters, l => Assert.Equal("influx_refused", l.GetProperty("reason").GetString()));
        Assert.All(letters, l => Assert.Contains("invalid column type for column 'lat'", l.GetProperty("detail").GetString()));
        Assert.Equal(2, gateway.Counters.LinesRefused);
        Assert.Single(influx3.Requests, r => r.Path == "/api/v3/write_lp" && r.Body.Contains("EM-R1")); // no bisection: 3.x named the lines
    }

    [Fact]
    public async Task The_v2_api_against_3x_stops_start_up_at_once_naming_the_keys()
    {
        using var influx3 = InfluxDb3Emulator.Start(s => s.Token = Token);
        using var host = GatewayHost.Build([], new Dictionary<string, string?>
        {
            ["Mqtt:Port"] = services.Mosquitto.Port.ToString(),
            ["Mqtt:ClientId"] = "gw-v3-wrong-api",
            ["Influx:Url"] = influx3.Url.ToString(),
            ["Influx:Api"] = "V2",
            ["Influx:Token"] = Token,
            ["DeadLetter:Directory"] = Directory.CreateTempSubdirectory("gateway-dlq-").FullName,
            ["Spool:Enabled"] = "false",
            ["Sparkplug:Enabled"] = "false",
            ["Observability:ListenUrl"] = "",
            ["Logging:LogLevel:Default"] = "None",
        });
        var stopping = new TaskCompletionSource();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
        await host.StartAsync();
        await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();

        var failure = host.Services.GetRequiredService<GatewayStartup>().InfluxFailure;
        Assert.NotNull(failure);
        Assert.False(failure.Retryable);
        Assert.Contains("/api/v2/buckets", failure.Message);
        Assert.Contains("Influx:Api", failure.Message);
        Assert.Single(influx3.Requests);
    }

    [Fact]
    public async Task The_process_exits_non_zero_with_the_key_when_3x_wants_a_token_for_ping()
    {
        using var influx3 = InfluxDb3Emulator.Start(s => s.Token = Token);
        var work = Directory.CreateTempSubdirectory("gateway-v3-exit-").FullName;
        var info = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "telemetry-gateway.dll")}\"")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Mqtt__Port"] = services.Mosquitto.Port.ToString();
        info.Environment["Mqtt__ClientId"] = "gw-v3-exit";
        info.Environment["Influx__Url"] = influx3.Url.ToString();
        info.Environment["Observability__ListenUrl"] = "";
        info.Environment["DeadLetter__Directory"] = Path.Combine(work, "dlq");
        info.Environment["Spool__Directory"] = Path.Combine(work, "spool");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"the gateway kept waiting:\n{await stdout}");
        }

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Influx:Token", await stderr);
        Assert.Contains("401", await stderr);
    }
}
