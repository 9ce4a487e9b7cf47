using System.Diagnostics;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>Vehicles connecting to the gateway's embedded broker with real MQTT clients; data read back from a real influxd.</summary>
[Collection("services")]
public sealed class EmbeddedBrokerTests(ServicesFixture services)
{
    private static readonly (string, string, string)[] TwoDevices = [("EM-A", "bkk", "emoto"), ("EM-B", "bkk", "emoto")];
    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private static string Telemetry(long ts, int seq = 1) => $$"""{"ts":{{ts}},"seq":{{seq}},"speed_kmh":12.5,"soc_pct":80}""";

    [Fact]
    public async Task An_accepted_devices_telemetry_event_and_status_land_in_influxd()
    {
        string db = InfluxServer.NewDatabaseName("brk_ok");
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db, TwoDevices);
        using var client = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", gateway.Passwords["EM-A"]));
        long ts = NowMs() - 1000;

        Assert.Equal(MqttClientPublishReasonCode.Success, (await client.PublishAsync("fleet/bkk/emoto/EM-A/telemetry", Telemetry(ts))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await client.PublishAsync("fleet/bkk/emoto/EM-A/event", $$"""{"ts":{{ts}},"type":"trip_start"}""")).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await client.PublishAsync("fleet/bkk/emoto/EM-A/status", $$"""{"ts":{{ts}},"online":true}""")).ReasonCode);
        await gateway.WaitForWrittenAsync(3, TimeSpan.FromSeconds(20));

        var row = (await services.Influx.QueryAsync(db, "SELECT * FROM telemetry")).Rows().Single();
        Assert.Equal(ts, row["time"].GetInt64());
        Assert.Equal("EM-A", row["vehicle_id"].GetString());
        Assert.Equal("bkk", row["site"].GetString());
        Assert.Equal(12.5, row["speed_kmh"].GetDouble());
        Assert.Equal(1, (await services.Influx.QueryAsync(db, "SELECT COUNT(n) FROM events")).Count());
        Assert.Equal(1, (await services.Influx.QueryAsync(db, "SELECT COUNT(online) FROM status")).Count());
        Assert.Equal(3, gateway.Broker.PublishesAccepted);
    }

    [Fact]
    public async Task Wrong_password_unknown_device_missing_password_and_a_foreign_client_id_are_refused()
    {
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, InfluxServer.NewDatabaseName("brk_auth"), TwoDevices);
        string good = gateway.Passwords["EM-A"];

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", good + "x")));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", gateway.Passwords["EM-B"])));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-NOBODY", good)));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", null)));
        // Right password, but the client id of another vehicle: that would take over (and cut off) EM-B's session.
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", good, clientId: "EM-B")));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", good + "x", protocol: MqttProtocolVersion.V311)));
        Assert.Equal(6, gateway.Broker.ConnectionsRefused);

        using var client = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", good));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Mosquitto_pub_with_a_wrong_password_is_refused_and_with_the_right_one_lands()
    {
        string db = InfluxServer.NewDatabaseName("brk_mpub");
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db, TwoDevices);
        long ts = NowMs() - 1000;

        var (refusedCode, refusedOutput) = await MosquittoPubAsync(gateway.PlainPort, "EM-A", "wrong-password", "fleet/bkk/emoto/EM-A/telemetry", Telemetry(ts));
        Assert.NotEqual(0, refusedCode);
        Assert.Contains("Bad User Name or Password", refusedOutput, StringComparison.OrdinalIgnoreCase);

        var (code, output) = await MosquittoPubAsync(gateway.PlainPort, "EM-A", gateway.Passwords["EM-A"], "fleet/bkk/emoto/EM-A/telemetry", Telemetry(ts));
        Assert.True(code == 0, output);
        await gateway.WaitForWrittenAsync(1, TimeSpan.FromSeconds(20));
        Assert.Equal(1, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(speed_kmh) FROM telemetry WHERE vehicle_id = 'EM-A'", 1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Device_A_publishing_on_B_topics_is_refused_not_authorized_and_nothing_is_written()
    {
        string db = InfluxServer.NewDatabaseName("brk_acl");
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db,
            [("EM-A", "bkk", "emoto"), ("EM-B", "bkk", "emoto"), ("BUS-1", "bkk", "h2bus")]);
        using var a = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", gateway.Passwords["EM-A"]));
        long ts = NowMs() - 1000;

        string[] foreign =
        [
            "fleet/bkk/emoto/EM-B/telemetry",        // another vehicle
            "fleet/bkk/h2bus/BUS-1/status",          // another vehicle of another kind
            "fleet/rayong/emoto/EM-A/telemetry",     // itself, at another site
            "fleet/bkk/h2bus/EM-A/telemetry",        // itself, as another kind
            "fleet/bkk/emoto/EM-A/commands",         // not a stream
            "fleet/bkk/emoto/EM-A/telemetry/extra",
            "fleet/bkk/emoto/EM-A",
            "fleet/bkk/emoto/EM-AB/telemetry",       // a prefix of its id is not its id
            "Fleet/bkk/emoto/EM-A/telemetry",
            "$SYS/broker/load",
        ];
        foreach (var topic in foreign)
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await a.PublishAsync(topic, Telemetry(ts))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, (await a.PublishAsync("fleet/bkk/emoto/EM-A/telemetry", Telemetry(ts + 1))).ReasonCode);

        // An MQTT 3.1.1 client has no reason codes: it sees a plain PUBACK, and the message is still dropped.
        using var legacy = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-B", gateway.Passwords["EM-B"], protocol: MqttProtocolVersion.V311));
        await legacy.PublishAsync("fleet/bkk/emoto/EM-A/telemetry", Telemetry(ts + 2));

        await gateway.WaitForWrittenAsync(1, TimeSpan.FromSeconds(20));
        await Task.Delay(600); // two flush intervals: anything wrongly accepted would be written by now
        var rows = (await services.Influx.QueryAsync(db, "SELECT speed_kmh, vehicle_id, site, kind FROM telemetry")).Rows().ToArray();
        var only = Assert.Single(rows);
        Assert.Equal(ts + 1, only["time"].GetInt64());
        Assert.Equal(0, (await services.Influx.QueryAsync(db, "SELECT COUNT(online) FROM status")).Count());
        Assert.Equal(foreign.Length + 1, gateway.Broker.PublishesNotAuthorized);
        Assert.Equal(1, gateway.Counters.Messages);

        var letters = gateway.DeadLetters().Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(foreign.Length + 1, letters.Count(l => l.GetProperty("reason").GetString() == "not_authorized"));
        Assert.Contains(letters, l => l.GetProperty("topic").GetString() == "fleet/bkk/emoto/EM-B/telemetry"
            && l.GetProperty("detail").GetString() == "device EM-A");
    }

    [Fact]
    public async Task A_device_may_not_subscribe_to_other_vehicles_topics()
    {
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, InfluxServer.NewDatabaseName("brk_sub"), TwoDevices);
        using var a = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", gateway.Passwords["EM-A"]));

        foreach (var filter in new[] { "fleet/bkk/emoto/EM-B/#", "#", "fleet/#", "fleet/+/+/+/+", "fleet/bkk/emoto/+/telemetry", "$SYS/#" })
        {
            var result = await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());
            Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, result.Items.Single().ResultCode);
        }
        var own = await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("fleet/bkk/emoto/EM-A/#").Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, own.Items.Single().ResultCode);
        Assert.Equal(6, gateway.Broker.SubscriptionsRefused);
    }

    [Fact]
    public async Task The_per_device_rate_limit_refuses_the_excess_with_quota_exceeded()
    {
        string db = InfluxServer.NewDatabaseName("brk_rate");
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db, TwoDevices,
            extra: new Dictionary<string, string?> { ["Broker:RateLimit:MessagesPerSecond"] = "2", ["Broker:RateLimit:Burst"] = "10" });
        using var a = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", gateway.Passwords["EM-A"]));
        using var b = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-B", gateway.Passwords["EM-B"]));
        long ts = NowMs() - 60_000;

        var stopwatch = Stopwatch.StartNew();
        var codes = new List<MqttClientPublishReasonCode>();
        for (int i = 0; i < 40; i++) codes.Add((await a.PublishAsync("fleet/bkk/emoto/EM-A/telemetry", Telemetry(ts + i, i))).ReasonCode);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        int accepted = codes.Count(c => c == MqttClientPublishReasonCode.Success);
        Assert.InRange(accepted, 10, 10 + (int)Math.Ceiling(seconds * 2) + 1);
        Assert.Equal(40 - accepted, codes.Count(c => c == MqttClientPublishReasonCode.QuotaExceeded));
        Assert.Equal(40 - accepted, gateway.Broker.PublishesRateLimited);

        // The limit is per device: B still has its whole burst.
        Assert.Equal(MqttClientPublishReasonCode.Success, (await b.PublishAsync("fleet/bkk/emoto/EM-B/telemetry", Telemetry(ts))).ReasonCode);
        await gateway.WaitForWrittenAsync(accepted + 1, TimeSpan.FromSeconds(20));
        Assert.Equal(accepted, await services.Influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry WHERE vehicle_id = 'EM-A'", accepted, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_payload_over_the_brokers_limit_is_refused_before_decoding()
    {
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, InfluxServer.NewDatabaseName("brk_size"), TwoDevices,
            extra: new Dictionary<string, string?> { ["Broker:MaxPayloadBytes"] = "1024" });
        using var a = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", gateway.Passwords["EM-A"]));
        string big = $$"""{"ts":{{NowMs()}},"battery_id":"{{new string('x', 2000)}}"}""";

        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, (await a.PublishAsync("fleet/bkk/emoto/EM-A/telemetry", big)).ReasonCode);
        Assert.Equal(1, gateway.Broker.PublishesTooLarge);
        Assert.Equal(0, gateway.Counters.Messages);
    }

    [Fact]
    public async Task With_acknowledge_written_a_puback_means_the_point_is_already_in_influxd()
    {
        string db = InfluxServer.NewDatabaseName("brk_ackw");
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db, TwoDevices,
            extra: new Dictionary<string, string?> { ["Broker:Acknowledge"] = "Written" });
        using var a = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-A", gateway.Passwords["EM-A"]));
        long ts = NowMs() - 1000;

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(MqttClientPublishReasonCode.Success, (await a.PublishAsync("fleet/bkk/emoto/EM-A/telemetry", Telemetry(ts + i, i))).ReasonCode);
            Assert.Equal(i + 1, (await services.Influx.QueryAsync(db, "SELECT COUNT(seq) FROM telemetry")).Count());
        }
    }

    /// <summary>The CONNACK reason code of a refused connection (MQTTnet returns it, or names it in an exception's message).</summary>
    internal static async Task<MqttClientConnectResultCode> RefusalAsync(MqttClientOptions options)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(options);
            Assert.False(client.IsConnected, "the connection was accepted");
            return result.ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException error)
        {
            return Enum.GetValues<MqttClientConnectResultCode>().Single(code => error.Message.Contains($"({code})", StringComparison.Ordinal));
        }
    }

    internal static async Task<(int ExitCode, string Output)> MosquittoPubAsync(int port, string id, string password, string topic, string payload)
    {
        var start = new ProcessStartInfo("mosquitto_pub")
        {
            ArgumentList = { "-V", "mqttv5", "-h", "127.0.0.1", "-p", port.ToString(), "-i", id, "-u", id, "-P", password, "-q", "1", "-t", topic, "-m", payload },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        return (process.ExitCode, await output + await error);
    }
}
