using Telemetry.IntegrationTests.Reliability;
using Telemetry.IntegrationTests.Services;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Sparkplug;

/// <summary>The Sparkplug host killed with kill -9 (a separate gateway process, servers of its own): the will takes over its STATE, and no DATA is lost.</summary>
[Collection("reliability")]
public sealed class SparkplugKillTests(ITestOutputHelper output)
{
    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task The_STATE_is_retained_online_and_replaced_by_the_will_with_the_same_timestamp_when_the_gateway_is_killed()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, "sp_state_kill",
            new Dictionary<string, string> { ["Sparkplug__HostId"] = "plant-host" });

        var online = await HostState.WaitForAsync(mosquitto.Port, "plant-host", online: true, TimeSpan.FromSeconds(15));
        Assert.True(online.Retained);
        gateway.Kill();
        var offline = await HostState.WaitForAsync(mosquitto.Port, "plant-host", online: false, TimeSpan.FromSeconds(15));
        Assert.True(offline.Retained);
        Assert.Equal(online.Timestamp, offline.Timestamp);

        await gateway.StartAgainAsync();
        var again = await HostState.WaitForAsync(mosquitto.Port, "plant-host", online: true, TimeSpan.FromSeconds(15));
        Assert.True(again.Timestamp > online.Timestamp, $"new connection's STATE {again.Timestamp} is not after the old one's {online.Timestamp}");
    }

    [Fact]
    public async Task A_gateway_killed_mid_stream_loses_no_Sparkplug_data_at_QoS_1()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "sp_kill9";
        const int total = 5000;
        await using var gateway = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, db);
        await using var node = await EdgeNode.ConnectAsync(mosquitto.Port, "laem-chabang", "FL-K9");
        long start = NowMs() - 3_600_000;

        await node.BirthAsync(bdSeq: 0, start - 1);
        var stream = Task.Run(async () =>
        {
            for (int i = 0; i < total; i++) await node.DataAsync(start + i, speed: i % 20, counter: (uint)i);
        });
        const string count = "SELECT COUNT(speed_kmh) FROM telemetry WHERE vehicle_id = 'FL-K9'";
        await influx.WaitForCountAsync(db, count, 1000, TimeSpan.FromSeconds(60));
        gateway.Kill();
        long atKill = (await influx.QueryAsync(db, count)).Count();
        await Task.Delay(1000);
        await gateway.StartAgainAsync();
        await stream;

        long present = await influx.WaitForCountAsync(db, count, total, TimeSpan.FromSeconds(90));
        var sum = (await influx.QueryAsync(db, "SELECT SUM(seq) FROM telemetry WHERE vehicle_id = 'FL-K9'")).Rows().Single()["sum"].GetInt64();
        output.WriteLine($"sent {total} NDATA, present {present} (at kill {atKill}); rebirth requests seen by the node: {node.Commands.Count}");
        Assert.True(atKill < total, "the gateway was killed after the stream had ended: the test proves nothing");
        Assert.Equal(total, present);
        Assert.Equal((long)total * (total - 1) / 2, sum);
        Assert.DoesNotContain("sparkplug_no_birth", File.Exists(gateway.DeadLetterPath) ? File.ReadAllText(gateway.DeadLetterPath) : "");
    }
}
