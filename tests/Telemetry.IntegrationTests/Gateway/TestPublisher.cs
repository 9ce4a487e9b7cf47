using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>An MQTT client publishing as vehicles do, with a window of QoS 1 publishes in flight.</summary>
public sealed class TestPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client;

    private TestPublisher(IMqttClient client) => _client = client;

    public static async Task<TestPublisher> ConnectAsync(int port, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId ?? $"pub-{Guid.NewGuid():N}")
            .WithCleanStart()
            .Build();
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 256 * 1024;
        await client.ConnectAsync(options);
        return new TestPublisher(client);
    }

    public Task PublishAsync(string topic, string payload, bool retain = false) =>
        PublishAsync(topic, Encoding.UTF8.GetBytes(payload), retain);

    /// <param name="contentType">sent as the MQTT 5 Content Type property when given</param>
    public async Task PublishAsync(string topic, byte[] payload, bool retain = false, string? contentType = null)
    {
        var builder = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain);
        if (contentType is not null) builder.WithContentType(contentType);
        var result = await _client.PublishAsync(builder.Build());
        if (!result.IsSuccess) throw new InvalidOperationException($"publish to {topic} failed: {result.ReasonCode}");
    }

    /// <summary>Publishes <paramref name="count"/> messages made by <paramref name="make"/>, keeping up to <paramref name="window"/> in flight.</summary>
    public async Task PublishManyAsync(int count, Func<int, (string Topic, string Payload)> make, int window = 100)
    {
        var inFlight = new Queue<Task>(window);
        for (int i = 0; i < count; i++)
        {
            if (inFlight.Count == window) await inFlight.Dequeue();
            var (topic, payload) = make(i);
            inFlight.Enqueue(PublishAsync(topic, payload));
        }
        await Task.WhenAll(inFlight);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
        _client.Dispose();
    }
}
