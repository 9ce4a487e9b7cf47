using Telemetry.Gateway.Broker;
using Telemetry.Gateway.Devices;

namespace Telemetry.Gateway.Tests.Broker;

/// <summary>What a vehicle and a Sparkplug edge node may publish and subscribe to in the embedded broker.</summary>
public class TopicAclTests
{
    private const string HostState = "spBv1.0/STATE/plant-gateway";
    private static readonly DeviceEntry Vehicle = new() { Id = "EM-1", Site = "bkk", Kind = "emoto" };
    private static readonly DeviceEntry EdgeNode = new() { Id = "DEPOT-7", Site = "laem-chabang", Sparkplug = true };
    private static readonly DeviceEntry VehicleNode = new() { Id = "FL-7", Site = "laem-chabang", Kind = "h2forklift", Sparkplug = true };

    [Theory]
    [InlineData("spBv1.0/laem-chabang/NBIRTH/DEPOT-7", true)]
    [InlineData("spBv1.0/laem-chabang/NDATA/DEPOT-7", true)]
    [InlineData("spBv1.0/laem-chabang/NDEATH/DEPOT-7", true)]
    [InlineData("spBv1.0/laem-chabang/DBIRTH/DEPOT-7/FL-1", true)]
    [InlineData("spBv1.0/laem-chabang/DDATA/DEPOT-7/FL-1", true)]
    [InlineData("spBv1.0/laem-chabang/DDEATH/DEPOT-7/FL-1", true)]
    [InlineData("spBv1.0/laem-chabang/NDATA/DEPOT-8", false)]       // another node
    [InlineData("spBv1.0/bkk/NDATA/DEPOT-7", false)]                // another group
    [InlineData("spBv1.0/laem-chabang/NCMD/DEPOT-7", false)]        // commands are the host's
    [InlineData("spBv1.0/laem-chabang/DCMD/DEPOT-7/FL-1", false)]
    [InlineData("spBv1.0/STATE/DEPOT-7", false)]                    // a host's STATE
    [InlineData("spBv1.0/laem-chabang/NDATA/DEPOT-7/extra", false)] // not a Sparkplug topic
    [InlineData("fleet/laem-chabang/h2forklift/DEPOT-7/telemetry", false)] // no kind: no fleet topics
    public void An_edge_node_publishes_only_its_own_node_and_device_messages(string topic, bool allowed) =>
        Assert.Equal(allowed, TopicAcl.MayPublish(topic, EdgeNode));

    [Theory]
    [InlineData("spBv1.0/laem-chabang/NCMD/DEPOT-7", true)]
    [InlineData("spBv1.0/laem-chabang/DCMD/DEPOT-7/+", true)]
    [InlineData("spBv1.0/laem-chabang/DCMD/DEPOT-7/FL-1", true)]
    [InlineData("spBv1.0/laem-chabang/+/DEPOT-7/#", true)]
    [InlineData("spBv1.0/laem-chabang/+/DEPOT-7", true)]
    [InlineData("spBv1.0/laem-chabang/DCMD/DEPOT-7/FL-1/#", true)]
    [InlineData(HostState, true)]
    [InlineData("spBv1.0/STATE/other-host", false)]
    [InlineData("spBv1.0/STATE/+", false)]
    [InlineData("spBv1.0/laem-chabang/NCMD/+", false)]
    [InlineData("spBv1.0/laem-chabang/NCMD/DEPOT-8", false)]
    [InlineData("spBv1.0/laem-chabang/#", false)]
    [InlineData("spBv1.0/#", false)]
    [InlineData("spBv1.0/laem-chabang/BOGUS/DEPOT-7", false)]
    [InlineData("#", false)]
    public void An_edge_node_subscribes_only_to_its_own_topics_and_the_hosts_state(string filter, bool allowed) =>
        Assert.Equal(allowed, TopicAcl.MaySubscribe(filter, EdgeNode, HostState));

    [Fact]
    public void An_edge_node_with_a_kind_keeps_its_fleet_topics_and_a_vehicle_gets_no_sparkplug_topics()
    {
        Assert.True(TopicAcl.MayPublish("fleet/laem-chabang/h2forklift/FL-7/telemetry", VehicleNode));
        Assert.True(TopicAcl.MayPublish("spBv1.0/laem-chabang/NDATA/FL-7", VehicleNode));
        Assert.True(TopicAcl.MayPublish("fleet/bkk/emoto/EM-1/telemetry", Vehicle));
        Assert.False(TopicAcl.MayPublish("spBv1.0/bkk/NDATA/EM-1", Vehicle));
        Assert.False(TopicAcl.MaySubscribe(HostState, Vehicle, HostState));
        Assert.True(TopicAcl.MaySubscribe("fleet/bkk/emoto/EM-1/#", Vehicle, HostState));
    }

    [Fact]
    public void A_registry_entry_without_a_kind_is_valid_only_for_an_edge_node()
    {
        Assert.Null(EdgeNode.Problem());
        Assert.Contains("kind ''", new DeviceEntry { Id = "EM-2", Site = "bkk" }.Problem());
    }
}
