using DeviceSim.Publishing;
using Telemetry.IntegrationTests.Gateway;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Simulator;

/// <summary>
/// The simulator's MQTT sink against a real mosquitto restarted mid-run: it reconnects and sends again
/// what the broker had not acknowledged, so every message reaches InfluxDB through the gateway.
/// </summary>
[Collection("services")]
public sealed class MqttSinkReconnectTests(ServicesFixture services)
{
    [Fact]
    public async Task A_broker_restart_mid_run_loses_nothing_the_sink_published()
    {
        const int messages = 3000;
        string db = InfluxServer.NewDatabaseName("sink_restart");
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var gateway = await RunningGateway.StartAsync(mosquitto.Port, services.Influx.Url, db);
        await using var sink = new MqttSink($"127.0.0.1:{mosquitto.Port}", qos: 1, inflight: 50,
            [new MqttSender("sink-restart-pool-0"), new MqttSender("sink-restart-pool-1")], reconnectTimeout: TimeSpan.FromSeconds(60));
        await sink.ConnectAsync(CancellationToken.None);

        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        Task? restart = null;
        for (int seq = 0; seq < messages; seq++)
        {
            if (seq == messages / 3)
                restart = Task.Run(async () =>
                {
                    await mosquitto.StopAsync();
                    await Task.Delay(500);
                    await mosquitto.StartAgainAsync();
                });
            await sink.PublishAsync(new OutgoingMessage
            {
                VehicleIndex = seq % 2,
                Topic = $"fleet/bkk/emoto/SINK-{seq % 2}/telemetry",
                Stream = StreamKind.Telemetry,
                Objects = [],
                Payload = System.Text.Encoding.UTF8.GetBytes($$"""{"ts":{{start + seq}},"seq":{{seq}},"speed_kmh":1}"""),
            }, CancellationToken.None);
            if (seq % 100 == 0) await Task.Delay(20); // spread the run over the restart
        }
        await restart!;
        await sink.FlushAsync(CancellationToken.None);

        Assert.True(sink.Failed == 0, $"{sink.Failed} publishes failed: {sink.LastError}");
        Assert.Equal(messages, sink.Published);
        Assert.True(sink.Reconnects >= 1, "the sink never reconnected");
        Assert.True(sink.Resent > 0, "nothing was sent again: the restart did not hit the run");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        long stored = 0;
        while (DateTime.UtcNow < deadline)
        {
            var result = await services.Influx.QueryAsync(db, "SELECT COUNT(seq) FROM telemetry");
            stored = result.Count();
            if (stored == messages) break;
            await Task.Delay(500);
        }
        Assert.Equal(messages, stored);
    }
}
