using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Google.Protobuf;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Org.Eclipse.Tahu.Protobuf;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace Telemetry.IntegrationTests.Sparkplug;

/// <summary>
/// A Sparkplug B edge node for the tests: an MQTTnet client publishing payloads encoded by Google.Protobuf (tests/Sparkplug.TestEncoder),
/// subscribed to its own NCMD, recording every command it is sent. It declares a forklift's metrics by alias in its NBIRTH.
/// </summary>
internal sealed class EdgeNode : IAsyncDisposable
{
    public const ulong SpeedAlias = 1, LoadAlias = 2, SeqAlias = 3;

    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<Payload> _commands = new();
    private readonly ConcurrentQueue<(string Topic, byte[] Payload)> _received = new();
    private ulong _seq;

    private EdgeNode(IMqttClient client, string group, string node)
    {
        _client = client;
        Group = group;
        Node = node;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            if (e.ApplicationMessage.Topic == CommandTopic) _commands.Enqueue(Payload.Parser.ParseFrom(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
    }

    public string Group { get; }
    public string Node { get; }
    public string CommandTopic => $"spBv1.0/{Group}/NCMD/{Node}";
    public IReadOnlyCollection<Payload> Commands => _commands;

    /// <summary>
    /// Connects (to a broker at <paramref name="port"/>, with credentials when given) and subscribes to its NCMD at QoS 1; with
    /// <paramref name="willBdSeq"/>, its will is the NDEATH with that bdSeq, as Sparkplug has it.
    /// </summary>
    public static async Task<EdgeNode> ConnectAsync(int port, string group, string node, string? password = null, ulong? willBdSeq = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(node)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart().WithTimeout(TimeSpan.FromSeconds(10));
        if (password is not null) options.WithCredentials(node, password);
        if (willBdSeq is { } bdSeq)
            options.WithWillTopic($"spBv1.0/{group}/NDEATH/{node}").WithWillPayload(Death(bdSeq).ToByteArray())
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        await client.ConnectAsync(options.Build());
        var edge = new EdgeNode(client, group, node);
        var granted = await client.SubscribeAsync(edge.CommandTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(granted.Items).ResultCode);
        return edge;
    }

    public IMqttClient Client => _client;

    /// <summary>NBIRTH of a forklift with <paramref name="bdSeq"/>: speed_kmh, load_kg and seq declared by alias; Sparkplug seq starts again at 0.</summary>
    public Task<MqttClientPublishResult> BirthAsync(ulong bdSeq, long timestampMs)
    {
        _seq = 0;
        return PublishAsync("NBIRTH", Birth(bdSeq, timestampMs));
    }

    public static Payload Birth(ulong bdSeq, long timestampMs)
    {
        var payload = new Payload { Timestamp = (ulong)timestampMs, Seq = 0 };
        payload.Metrics.Add(new Metric { Name = "bdSeq", Datatype = 8, LongValue = bdSeq });
        payload.Metrics.Add(new Metric { Name = "Node Control/Rebirth", Datatype = 11, BooleanValue = false });
        payload.Metrics.Add(new Metric { Name = "kind", Datatype = 12, StringValue = "h2forklift" });
        payload.Metrics.Add(new Metric { Name = "Vehicle/Speed", Alias = SpeedAlias, Datatype = 9, FloatValue = 0 });
        payload.Metrics.Add(new Metric { Name = "load_kg", Alias = LoadAlias, Datatype = 9, FloatValue = 0 });
        payload.Metrics.Add(new Metric { Name = "seq", Alias = SeqAlias, Datatype = 7, IntValue = 0 });
        return payload;
    }

    /// <summary>NDATA by alias with the next Sparkplug seq (or <paramref name="seq"/>): one point at <paramref name="timestampMs"/> with the study's counter <paramref name="counter"/>.</summary>
    public Task<MqttClientPublishResult> DataAsync(long timestampMs, float speed, uint counter, ulong? seq = null, ulong speedAlias = SpeedAlias)
    {
        _seq = seq ?? (_seq + 1) % 256;
        var payload = new Payload { Timestamp = (ulong)timestampMs, Seq = _seq };
        payload.Metrics.Add(new Metric { Alias = speedAlias, FloatValue = speed });
        payload.Metrics.Add(new Metric { Alias = LoadAlias, FloatValue = 120.5f });
        payload.Metrics.Add(new Metric { Alias = SeqAlias, IntValue = counter });
        return PublishAsync("NDATA", payload);
    }

    public Task<MqttClientPublishResult> DeathAsync(ulong bdSeq) => PublishAsync("NDEATH", Death(bdSeq));

    public static Payload Death(ulong bdSeq) => new() { Metrics = { new Metric { Name = "bdSeq", Datatype = 8, LongValue = bdSeq } } };

    public Task<MqttClientPublishResult> PublishAsync(string messageType, Payload payload, string? node = null) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"spBv1.0/{Group}/{messageType}/{node ?? Node}")
            .WithPayload(payload.ToByteArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    /// <summary>Waits for an NCMD; true when it is <c>Node Control/Rebirth</c> = true, as the host sends it.</summary>
    public async Task<Payload> WaitForRebirthRequestAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var rebirth = _commands.FirstOrDefault(c => c.Metrics.Any(m => m.Name == "Node Control/Rebirth" && m.BooleanValue));
            if (rebirth is not null) return rebirth;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no rebirth request on {CommandTopic} within {timeout} ({_commands.Count} commands)");
            await Task.Delay(50);
        }
    }

    /// <summary>The payload of the first message received on <paramref name="topic"/> (any of its subscriptions).</summary>
    public async Task<byte[]> WaitForMessageAsync(string topic, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var (received, payload) in _received)
                if (received == topic) return payload;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"nothing on {topic} within {timeout}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
        _client.Dispose();
    }
}

/// <summary>Reads a host's retained STATE as a fresh subscriber does.</summary>
internal static class HostState
{
    public sealed record State(bool Online, long Timestamp, bool Retained, MqttQualityOfServiceLevel Qos);

    public static async Task<State> ReadRetainedAsync(int port, string hostId, TimeSpan timeout)
    {
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart().Build());
        await client.SubscribeAsync($"spBv1.0/STATE/{hostId}", MqttQualityOfServiceLevel.AtLeastOnce);
        var message = await received.Task.WaitAsync(timeout);
        await client.DisconnectAsync();
        using var json = JsonDocument.Parse(message.Payload.ToArray());
        return new State(json.RootElement.GetProperty("online").GetBoolean(), json.RootElement.GetProperty("timestamp").GetInt64(),
            message.Retain, message.QualityOfServiceLevel);
    }

    /// <summary>Polls until the retained STATE says <paramref name="online"/>.</summary>
    public static async Task<State> WaitForAsync(int port, string hostId, bool online, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var state = await ReadRetainedAsync(port, hostId, TimeSpan.FromSeconds(5));
            if (state.Online == online) return state;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"STATE of {hostId} is still online={state.Online} after {timeout}");
            await Task.Delay(200);
        }
    }
}
