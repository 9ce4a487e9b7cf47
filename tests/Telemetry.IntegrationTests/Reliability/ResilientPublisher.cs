using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Telemetry.IntegrationTests.Reliability;

/// <summary>
/// Publishes QoS 1 with a window in flight and, like a vehicle's firmware, retries a publish
/// that was not acknowledged (reconnecting when the broker went away), so that every message
/// reaches the broker at least once.
/// </summary>
public sealed class ResilientPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;
    private readonly SemaphoreSlim _connecting = new(1, 1);

    public ResilientPublisher(int port)
    {
        _options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port)
            .WithClientId($"rpub-{Guid.NewGuid():N}").WithCleanStart().WithTimeout(TimeSpan.FromSeconds(5)).Build();
        ((MqttClientTcpOptions)_options.ChannelOptions).BufferSize = 256 * 1024;
    }

    public long Retries;

    public async Task PublishManyAsync(int count, Func<int, (string Topic, string Payload)> make, int window = 100,
        TimeSpan? pace = null, CancellationToken ct = default)
    {
        var inFlight = new Queue<Task>(window);
        var started = DateTime.UtcNow;
        for (int i = 0; i < count; i++)
        {
            if (inFlight.Count == window) await inFlight.Dequeue();
            if (pace is { } perMessage)
            {
                var due = started + perMessage * i;
                if (due > DateTime.UtcNow) await Task.Delay(due - DateTime.UtcNow, ct);
            }
            var (topic, payload) = make(i);
            inFlight.Enqueue(PublishUntilAckedAsync(topic, Encoding.UTF8.GetBytes(payload), ct));
        }
        await Task.WhenAll(inFlight);
    }

    private async Task PublishUntilAckedAsync(string topic, byte[] payload, CancellationToken ct)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        for (int attempt = 0; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await EnsureConnectedAsync(ct);
                var result = await _client.PublishAsync(message, ct);
                if (result.IsSuccess) return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) { }
            Interlocked.Increment(ref Retries);
            await Task.Delay(Math.Min(2000, 50 * (attempt + 1)), ct);
        }
    }

    private async Task EnsureConnectedAsync(CancellationToken ct)
    {
        if (_client.IsConnected) return;
        await _connecting.WaitAsync(ct);
        try
        {
            if (!_client.IsConnected) await _client.ConnectAsync(_options, ct);
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
        _client.Dispose();
    }
}
