using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using Telemetry.Gateway.Sources;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>The gateway's own QoS 1 publishes (a host's state, commands to edge nodes) through each subscriber client's send path.</summary>
[Collection("services")]
public sealed class PublishOutTests(ServicesFixture services)
{
    [Theory]
    [EachMqttClient]
    public async Task A_retained_publish_with_a_content_type_reaches_a_later_subscriber(string client)
    {
        string db = InfluxServer.NewDatabaseName("pubout");
        string topic = $"gateway-test/{db}/state";
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db,
            new Dictionary<string, string?> { ["Mqtt:Client"] = client });

        await gateway.Source.PublishAsync(new OutgoingMessage(topic, """{"online":true}"""u8.ToArray(), Retain: true, ContentType: "application/json"),
            CancellationToken.None);
        // Completed means the broker acknowledged it: a subscriber that comes later gets the retained message.
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", services.Mosquitto.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithCleanStart().Build());
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(message.Retain);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal("""{"online":true}""", Encoding.UTF8.GetString(message.Payload));

        await gateway.Source.PublishAsync(new OutgoingMessage(topic, ReadOnlyMemory<byte>.Empty, Retain: true), CancellationToken.None); // clears it
    }
}
