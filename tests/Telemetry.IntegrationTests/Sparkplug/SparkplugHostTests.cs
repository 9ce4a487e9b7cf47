using Telemetry.IntegrationTests.Gateway;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Sparkplug;

/// <summary>
/// The gateway as a Sparkplug B host against a real mosquitto and influxd, for each subscriber-mode client: rebirth requested
/// (NCMD seen by the edge node) on a seq gap and on an unknown alias, a stale NDEATH ignored, the STATE birth retained.
/// Each test has a group and host id of its own, and subscribes only to its group.
/// </summary>
[Collection("services")]
public sealed class SparkplugHostTests(ServicesFixture services)
{
    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string NewId(string what) => $"{what}-{Guid.NewGuid():N}"[..20];

    /// <summary>A gateway subscribed to a group of its own with a host id of its own, and (when named) an edge node of that group.</summary>
    private sealed class Plant(RunningGateway gateway, EdgeNode? node, string db, string group, string hostId) : IAsyncDisposable
    {
        public RunningGateway Gateway => gateway;
        public EdgeNode Node => node ?? throw new InvalidOperationException("no edge node");
        public string Db => db;
        public string Group => group;
        public string HostId => hostId;

        public async ValueTask DisposeAsync()
        {
            if (node is not null) await node.DisposeAsync();
            await gateway.DisposeAsync();
        }
    }

    private async Task<Plant> StartAsync(string client, string purpose, string? nodeId = null)
    {
        string db = InfluxServer.NewDatabaseName(purpose), group = NewId("plant"), hostId = NewId("host");
        var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db, new Dictionary<string, string?>
        {
            ["Mqtt:Client"] = client,
            ["Sparkplug:Enabled"] = "true",
            ["Sparkplug:HostId"] = hostId,
            ["Sparkplug:TopicFilter"] = $"spBv1.0/{group}/#",
            ["Sparkplug:ReorderTimeoutMs"] = "500",
        });
        var node = nodeId is null ? null : await EdgeNode.ConnectAsync(services.Mosquitto.Port, group, nodeId);
        return new Plant(gateway, node, db, group, hostId);
    }

    [Theory]
    [EachMqttClient]
    public async Task A_seq_gap_not_filled_in_time_asks_the_edge_node_to_rebirth_and_the_data_is_written(string client)
    {
        await using var plant = await StartAsync(client, "sp_gap", "FL-GAP");
        var (gateway, node, db) = (plant.Gateway, plant.Node, plant.Db);
        long t = NowMs() - 60_000;

        await node.BirthAsync(bdSeq: 0, t);
        await node.DataAsync(t + 1, speed: 5, counter: 1);
        await node.DataAsync(t + 3, speed: 7, counter: 3, seq: 3); // seq 2 never comes
        var rebirth = await node.WaitForRebirthRequestAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(11u, rebirth.Metrics.Single(m => m.Name == "Node Control/Rebirth").Datatype); // Boolean
        Assert.Equal(2, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(speed_kmh) FROM telemetry WHERE vehicle_id = 'FL-GAP'", 2, TimeSpan.FromSeconds(20)));
        var status = (await services.Influx.QueryAsync(db, $"SELECT online, kind, site FROM status WHERE vehicle_id = 'FL-GAP'")).Rows().Single();
        Assert.True(status["online"].GetBoolean());
        Assert.Equal("h2forklift", status["kind"].GetString());
        Assert.Equal(plant.Group, status["site"].GetString());
        // Per-vehicle accounting knows the Sparkplug vehicle by the kind its BIRTH named (the status point and the two samples).
        Assert.Equal(3, gateway.Quality.KindTotals().Single(k => k.Kind == "h2forklift").Total.Written);
    }

    [Theory]
    [EachMqttClient]
    public async Task Data_naming_an_unknown_alias_is_dead_lettered_and_asks_the_edge_node_to_rebirth(string client)
    {
        await using var plant = await StartAsync(client, "sp_alias", "FL-ALIAS");
        var (gateway, node, db) = (plant.Gateway, plant.Node, plant.Db);
        long t = NowMs() - 60_000;

        await node.BirthAsync(bdSeq: 0, t);
        await node.DataAsync(t + 1, speed: 5, counter: 1, speedAlias: 99);
        await node.WaitForRebirthRequestAsync(TimeSpan.FromSeconds(15));

        await gateway.WaitUntilSettledAsync(2, TimeSpan.FromSeconds(20));
        Assert.Contains(gateway.DeadLetters(), line => line.Contains("\"reason\":\"sparkplug_unknown_alias\"") && line.Contains("FL-ALIAS"));
        Assert.Equal(0, (await services.Influx.QueryAsync(db, "SELECT COUNT(speed_kmh) FROM telemetry")).Count());
    }

    [Theory]
    [EachMqttClient]
    public async Task An_NDEATH_with_a_stale_bdSeq_is_ignored_and_the_current_one_writes_offline(string client)
    {
        await using var plant = await StartAsync(client, "sp_death", "FL-DEATH");
        var (gateway, node, db) = (plant.Gateway, plant.Node, plant.Db);

        long t = NowMs() - 1000;
        await node.BirthAsync(bdSeq: 5, t);
        await node.DeathAsync(bdSeq: 4); // the will of an older connection, delivered late
        await node.DataAsync(t + 1, speed: 3, counter: 1); // acknowledged in order: once it is, the NDEATH before it was handled and stored
        await gateway.WaitUntilSettledAsync(3, TimeSpan.FromSeconds(20));
        Assert.Equal(1, (await services.Influx.QueryAsync(db, "SELECT COUNT(speed_kmh) FROM telemetry WHERE vehicle_id = 'FL-DEATH'")).Count());
        const string offline = "SELECT COUNT(online) FROM status WHERE vehicle_id = 'FL-DEATH' AND online = false";
        Assert.Equal(1, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(online) FROM status WHERE vehicle_id = 'FL-DEATH'", 1, TimeSpan.FromSeconds(20)));
        Assert.Equal(0, (await services.Influx.QueryAsync(db, offline)).Count());

        await node.DeathAsync(bdSeq: 5);
        Assert.Equal(1, await services.Influx.WaitForCountAsync(db, offline, 1, TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [EachMqttClient]
    public async Task The_STATE_birth_is_retained_at_QoS_1_and_a_normal_stop_leaves_the_will_with_the_same_timestamp(string client)
    {
        long before = NowMs();
        HostState.State online;
        string host;
        await using (var plant = await StartAsync(client, "sp_state"))
        {
            host = plant.HostId;
            online = await HostState.WaitForAsync(services.Mosquitto.Port, host, online: true, TimeSpan.FromSeconds(10));
        }
        Assert.True(online.Retained);
        Assert.Equal(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, online.Qos);
        Assert.InRange(online.Timestamp, before, NowMs());

        var offline = await HostState.WaitForAsync(services.Mosquitto.Port, host, online: false, TimeSpan.FromSeconds(10));
        Assert.Equal(online.Timestamp, offline.Timestamp);
    }

    [Theory]
    [EachMqttClient]
    public async Task A_stray_STATE_offline_on_the_hosts_id_is_answered_with_its_birth_again(string client)
    {
        await using var plant = await StartAsync(client, "sp_stray");
        string host = plant.HostId;
        var online = await HostState.WaitForAsync(services.Mosquitto.Port, host, online: true, TimeSpan.FromSeconds(10));

        await using (var other = await TestPublisher.ConnectAsync(services.Mosquitto.Port))
            await other.PublishAsync($"spBv1.0/STATE/{host}", """{"online":false,"timestamp":1}""", retain: true);
        // Retained offline now, until the host answers (a host that did not would leave it so, and this would time out).
        var again = await HostState.WaitForAsync(services.Mosquitto.Port, host, online: true, TimeSpan.FromSeconds(10));
        Assert.Equal(online.Timestamp, again.Timestamp); // the birth of the same connection, matching its will
    }
}
