using MQTTnet;
using MQTTnet.Protocol;
using Org.Eclipse.Tahu.Protobuf;
using Telemetry.Gateway.Devices;
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
}
