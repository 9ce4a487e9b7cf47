using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using Telemetry.Gateway.Sources;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>The gateway's own publishes in embedded-broker mode (e.g. a command to an edge node) reach the device subscribed, and are not taken for a device's data.</summary>
[Collection("services")]
public sealed class BrokerPublishOutTests(ServicesFixture services)
{
    [Fact]
    public async Task A_gateway_publish_reaches_the_subscribed_device_with_its_content_type()
    {
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, InfluxServer.NewDatabaseName("brk_pubout"), [("EM-A", "bkk", "emoto")]);
        using var device = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", gateway.Passwords["EM-A"]));
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        device.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await device.SubscribeAsync("fleet/bkk/emoto/EM-A/#", MqttQualityOfServiceLevel.AtLeastOnce);

        await gateway.Source.PublishAsync(new OutgoingMessage("fleet/bkk/emoto/EM-A/commands", "rebirth"u8.ToArray(), ContentType: "text/plain"),
            CancellationToken.None);

        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("fleet/bkk/emoto/EM-A/commands", message.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
        Assert.Equal("text/plain", message.ContentType);
        Assert.Equal("rebirth", Encoding.UTF8.GetString(message.Payload));
        Assert.Equal(0, gateway.Broker.PublishesNotAuthorized);
        Assert.Equal(0, gateway.Counters.Messages);
    }
}
