using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using Telemetry.Contract.Decoding;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>The embedded broker hands a publish's MQTT 5 Content Type to the decoder like the subscribers do.</summary>
[Collection("services")]
public sealed class BrokerContentTypeTests(ServicesFixture services)
{
    [Fact]
    public async Task A_devices_content_type_is_read_and_an_unknown_one_rejected_with_its_reason()
    {
        string db = InfluxServer.NewDatabaseName("brk_ctype");
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db, [("EM-CT", "bkk", "emoto")]);
        using var client = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-CT", gateway.Passwords["EM-CT"]));
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;

        async Task PublishAsync(int i, string contentType)
        {
            var message = new MqttApplicationMessageBuilder().WithTopic("fleet/bkk/emoto/EM-CT/telemetry")
                .WithPayload($$"""{"ts":{{ts + i}},"speed_kmh":{{i}}.5}""").WithContentType(contentType)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            Assert.Equal(MqttClientPublishReasonCode.Success, (await client.PublishAsync(message)).ReasonCode);
        }
        await PublishAsync(0, "application/json");
        await PublishAsync(1, "application/vnd.fleet+json");
        await gateway.WaitForWrittenAsync(1, TimeSpan.FromSeconds(20));

        Assert.Equal(1, (await services.Influx.QueryAsync(db, "SELECT COUNT(speed_kmh) FROM telemetry")).Count());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gateway.Counters.Rejections(RejectReason.BadContentType) < 1 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(1, gateway.Counters.Rejections(RejectReason.BadContentType));
        var letter = JsonDocument.Parse(Assert.Single(gateway.DeadLetters())).RootElement;
        Assert.Equal("bad_content_type", letter.GetProperty("reason").GetString());
        Assert.Equal("application/vnd.fleet+json", letter.GetProperty("key").GetString());
    }
}
