using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Telemetry.Gateway.Mqtt.Wire;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>What the built-in MQTT client (Mqtt:Client=Pipelines) must get right beyond the common end-to-end tests.</summary>
[Collection("services")]
public sealed class PipelinesClientTests(ServicesFixture services)
{
    [Fact]
    public async Task Payloads_larger_than_the_receive_buffer_land_and_an_oversized_one_is_dead_lettered()
    {
        string db = InfluxServer.NewDatabaseName("large");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db);
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;

        // ~200 KB: several reads and pipe segments for one packet.
        var samples = Enumerable.Range(0, 1800).Select(i => $$"""{"ts":{{ts + i}},"seq":{{i}},"speed_kmh":{{i % 90}}.25,"soc_pct":{{i % 100}},"batt_v":72.4,"lat":13.7563,"lon":100.5018,"battery_id":"BP-{{i:D6}}"}""");
        string large = "[" + string.Join(",", samples) + "]";
        Assert.InRange(large.Length, 150_000, 256 * 1024);
        await publisher.PublishAsync("fleet/bkk/emoto/EM-LARGE/telemetry", large);
        // ~1.1 MB: many reads for one packet, which the receive side must keep reading until it is whole.
        await publisher.PublishAsync("fleet/bkk/emoto/EM-LARGE/telemetry", "[" + string.Join(",", Enumerable.Repeat(samples.First(), 9000)) + "]");
        await publisher.PublishAsync("fleet/bkk/emoto/EM-LARGE/telemetry", $$"""{"ts":{{ts + 5000}},"seq":5000}""");
        await gateway.WaitForAckedAsync(3, TimeSpan.FromSeconds(30));

        Assert.Equal(1801, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", 1801, TimeSpan.FromSeconds(10)));
        var sum = (await services.Influx.QueryAsync(db, "SELECT SUM(seq) FROM telemetry")).Rows().Single()["sum"].GetInt64();
        Assert.Equal(1799L * 1800 / 2 + 5000, sum);
        var letter = JsonDocument.Parse(Assert.Single(gateway.DeadLetters())).RootElement;
        Assert.Equal("too_large", letter.GetProperty("reason").GetString());
    }

    [Theory]
    [EachMqttClient]
    public async Task Constant_back_pressure_loses_nothing_and_is_counted(string client)
    {
        // One pending batch of 20 lines: reading pauses for InfluxDB all the time.
        string db = InfluxServer.NewDatabaseName("pressure");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db, new Dictionary<string, string?>
        {
            ["Mqtt:Client"] = client,
            ["Batching:MaxLines"] = "20",
            ["Batching:MaxPendingBatches"] = "1",
            ["Influx:Writers"] = "1",
        });
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        const int count = 5000;

        await publisher.PublishManyAsync(count, i => ($"fleet/bkk/h2truck/TRK-{i % 7}/telemetry", $$"""{"ts":{{ts + i}},"seq":{{i}}}"""));
        await gateway.WaitForAckedAsync(count, TimeSpan.FromSeconds(60));

        Assert.Equal(count, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", count, TimeSpan.FromSeconds(10)));
        var sum = (await services.Influx.QueryAsync(db, "SELECT SUM(seq) FROM telemetry")).Rows().Single()["sum"].GetInt64();
        Assert.Equal((long)count * (count - 1) / 2, sum);
        Assert.True(gateway.Counters.BackPressureWaits > 0, "the pipeline was never full");
        Assert.True(gateway.Counters.BackPressureTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task Qos0_subscription_lands_messages_without_acknowledgements()
    {
        string db = InfluxServer.NewDatabaseName("qos0");
        await using var gateway = await RunningGateway.StartAsync(services.Mosquitto.Port, services.Influx.Url, db,
            new Dictionary<string, string?> { ["Mqtt:Qos"] = "0" }, clientId: $"gw-qos0-{Guid.NewGuid():N}");
        await using var publisher = await TestPublisher.ConnectAsync(services.Mosquitto.Port);
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;

        await publisher.PublishManyAsync(2000, i => ($"fleet/bkk/h2forklift/FL-{i % 5}/telemetry", $$"""{"ts":{{ts + i}},"seq":{{i}}}"""));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (gateway.Counters.PointsWritten < 2000 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(2000, gateway.Counters.Messages);
        Assert.Equal(2000, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", 2000, TimeSpan.FromSeconds(30)));
        Assert.Equal(0, gateway.Counters.MessagesAcked);
    }

    [Fact]
    public async Task A_broker_that_stops_answering_is_left_and_reconnected_after_the_keep_alive()
    {
        using var broker = new SilentBroker();
        await using var gateway = await RunningGateway.StartAsync(broker.Port, services.Influx.Url, InfluxServer.NewDatabaseName("silent"),
            new Dictionary<string, string?> { ["Mqtt:KeepAliveSeconds"] = "1", ["Mqtt:ReconnectMinDelayMs"] = "50" });

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (broker.Connections < 3 && DateTime.UtcNow < deadline) await Task.Delay(100);

        Assert.True(broker.Connections >= 3, $"connections: {broker.Connections}");
        Assert.True(broker.PingsReceived >= 2, $"pings: {broker.PingsReceived}");
    }

    /// <summary>Accepts CONNECT and SUBSCRIBE, then never answers a PINGREQ: a broker hung behind a live TCP connection.</summary>
    private sealed class SilentBroker : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _connections;
        private int _pings;

        public SilentBroker()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Connections => Volatile.Read(ref _connections);
        public int PingsReceived => Volatile.Read(ref _pings);

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var connection = client;
            var stream = client.GetStream();
            var received = new List<byte>();
            var chunk = new byte[4096];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    int n = await stream.ReadAsync(chunk, _stop.Token);
                    if (n == 0) return;
                    received.AddRange(chunk.AsSpan(0, n));
                    var buffer = new ReadOnlySequence<byte>(received.ToArray());
                    while (MqttWire.TryReadPacket(ref buffer, out byte header, out _))
                    {
                        switch (MqttWire.TypeOf(header))
                        {
                            case PacketType.Connect:
                                await stream.WriteAsync(new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 });
                                break;
                            case PacketType.Subscribe:
                                await stream.WriteAsync(new byte[] { 0x90, 0x04, 0x00, 0x01, 0x00, 0x01 });
                                break;
                            case PacketType.PingReq:
                                Interlocked.Increment(ref _pings);
                                break;
                        }
                    }
                    received = [.. buffer.ToArray()];
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException) { }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
