using Google.Protobuf;
using MQTTnet;
using MQTTnet.Protocol;
using Org.Eclipse.Tahu.Protobuf;
using Telemetry.Gateway.Devices;
using Telemetry.Gateway.Mqtt.Wire;
using Telemetry.IntegrationTests.Broker;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Sparkplug;

/// <summary>Embedded-broker mode: a registered Sparkplug edge node may use its own topics only, sees the host's retained STATE, and receives its NCMD.</summary>
[Collection("services")]
public sealed class SparkplugBrokerTests(ServicesFixture services)
{
    private const string Group = "laem-chabang", NodeId = "DEPOT-7", HostId = "plant-gateway";

    [Fact]
    public async Task An_edge_node_is_allowed_its_own_topics_refused_another_nodes_and_gets_its_rebirth_command()
    {
        string db = InfluxServer.NewDatabaseName("sp_broker");
        string password = PasswordHash.NewPassword();
        var edgeNode = new DeviceEntry { Id = NodeId, Site = Group, Sparkplug = true, PasswordHash = PasswordHash.Create(password) };
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db, [], entries: [edgeNode],
            extra: new Dictionary<string, string?> { ["Sparkplug:HostId"] = HostId });

        await using var node = await EdgeNode.ConnectAsync(gateway.PlainPort, Group, NodeId, password);
        var subscribed = await node.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"spBv1.0/STATE/{HostId}", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter($"spBv1.0/{Group}/DCMD/{NodeId}/+", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter($"spBv1.0/{Group}/NCMD/FL-OTHER", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("spBv1.0/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.Equal([MqttClientSubscribeResultCode.GrantedQoS1, MqttClientSubscribeResultCode.GrantedQoS1,
            MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.NotAuthorized], subscribed.Items.Select(i => i.ResultCode));

        long t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        Assert.Equal(MqttClientPublishReasonCode.Success, (await node.BirthAsync(bdSeq: 0, t)).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await node.DataAsync(t + 1, speed: 4, counter: 1)).ReasonCode);
        var other = new Payload { Timestamp = (ulong)t, Seq = 0 };
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await node.PublishAsync("NBIRTH", other, node: "FL-OTHER")).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await node.PublishAsync("NCMD", other)).ReasonCode);

        // An unknown alias: the host's NCMD comes back through the embedded broker to the node's subscription.
        await node.DataAsync(t + 2, speed: 5, counter: 2, speedAlias: 77);
        await node.WaitForRebirthRequestAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(1, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(speed_kmh) FROM telemetry WHERE vehicle_id = 'DEPOT-7'", 1, TimeSpan.FromSeconds(20)));
        Assert.Contains(gateway.DeadLetters(), l => l.Contains("\"reason\":\"not_authorized\"") && l.Contains("spBv1.0/laem-chabang/NBIRTH/FL-OTHER"));
        var state = await node.WaitForMessageAsync($"spBv1.0/STATE/{HostId}", TimeSpan.FromSeconds(10));
        Assert.StartsWith("{\"online\":true,\"timestamp\":", System.Text.Encoding.UTF8.GetString(state));
    }

    [Fact]
    public async Task An_edge_nodes_will_goes_through_its_acl_and_writes_it_offline()
    {
        string db = InfluxServer.NewDatabaseName("sp_broker_will");
        string password = PasswordHash.NewPassword();
        var edgeNode = new DeviceEntry { Id = "FL-WILL", Site = Group, Sparkplug = true, PasswordHash = PasswordHash.Create(password) };
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db, [], entries: [edgeNode],
            extra: new Dictionary<string, string?> { ["Sparkplug:HostId"] = HostId });
        // A bare TCP connection, so that it can end the way a crashed edge node's does: no DISCONNECT, the socket just closes.
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync("127.0.0.1", gateway.PlainPort);
        var stream = socket.GetStream();
        await stream.WriteAsync(MqttWire.Connect("FL-WILL", "FL-WILL", password, 30, 0, 100,
            $"spBv1.0/{Group}/NDEATH/FL-WILL", EdgeNode.Death(3).ToByteArray()));
        var birth = EdgeNode.Birth(3, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000);
        await stream.WriteAsync(MqttWire.Publish(2, $"spBv1.0/{Group}/NBIRTH/FL-WILL", birth.ToByteArray(), retain: false, contentType: null));
        const string online = "SELECT COUNT(online) FROM status WHERE vehicle_id = 'FL-WILL' AND online = true";
        Assert.Equal(1, await services.Influx.WaitForCountAsync(db, online, 1, TimeSpan.FromSeconds(20)));
        socket.Client.Close(0);

        const string offline = "SELECT COUNT(online) FROM status WHERE vehicle_id = 'FL-WILL' AND online = false";
        Assert.Equal(1, await services.Influx.WaitForCountAsync(db, offline, 1, TimeSpan.FromSeconds(20)));
    }
}
