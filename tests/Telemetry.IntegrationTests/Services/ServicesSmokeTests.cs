using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace Telemetry.IntegrationTests.Services;

[Collection("services")]
public sealed class ServicesSmokeTests(ServicesFixture services)
{
    static readonly TimeSpan deliveryTimeout = TimeSpan.FromSeconds(10);
    readonly MqttClientFactory mqtt = new();

    [Fact]
    public async Task Mosquitto_delivers_a_mosquitto_pub_message_to_an_MQTTnet_subscriber()
    {
        var broker = services.Mosquitto;
        string topic = UniqueTopic();
        using var subscriber = mqtt.CreateMqttClient();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(PayloadText(e.ApplicationMessage));
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(ClientOptions(broker, $"smoke-sub-{Guid.NewGuid():N}"));
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await RunClientToolAsync("mosquitto_pub", "-h", broker.Host, "-p", $"{broker.Port}", "-q", "1", "-t", topic, "-m", "hello");

        Assert.Equal("hello", await received.Task.WaitAsync(deliveryTimeout));
    }

    [Fact]
    public async Task Mosquitto_sub_receives_a_retained_message_published_by_MQTTnet()
    {
        var broker = services.Mosquitto;
        string topic = UniqueTopic();
        using var publisher = mqtt.CreateMqttClient();
        await publisher.ConnectAsync(ClientOptions(broker, $"smoke-pub-{Guid.NewGuid():N}"));
        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload("retained").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag()
            .Build());

        string output = await RunClientToolAsync("mosquitto_sub", "-h", broker.Host, "-p", $"{broker.Port}", "-q", "1", "-t", topic, "-C", "1", "-W", "10");

        Assert.Equal("retained", output.Trim());
    }

    [Fact]
    public async Task Mosquitto_config_lets_unacknowledged_and_queued_QoS1_messages_pile_up_beyond_the_defaults()
    {
        // Defaults would stop at 20 unacknowledged messages per client and drop beyond 1000 queued ones.
        const int messageCount = 3000;
        var broker = services.Mosquitto;
        string topic = UniqueTopic();

        int receivedWithoutAck = 0;
        using var holdingSubscriber = mqtt.CreateMqttClient();
        holdingSubscriber.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            Interlocked.Increment(ref receivedWithoutAck);
            return Task.CompletedTask;
        };
        await holdingSubscriber.ConnectAsync(ClientOptions(broker, $"smoke-holding-{Guid.NewGuid():N}"));
        await holdingSubscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var offlineOptions = PersistentSessionOptions(broker, $"smoke-offline-{Guid.NewGuid():N}");
        using var offlineSubscriber = mqtt.CreateMqttClient();
        await offlineSubscriber.ConnectAsync(offlineOptions);
        await offlineSubscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await offlineSubscriber.DisconnectAsync();

        using var publisher = mqtt.CreateMqttClient();
        await publisher.ConnectAsync(ClientOptions(broker, $"smoke-pub-{Guid.NewGuid():N}"));
        await PublishManyAsync(publisher, topic, messageCount);

        int receivedAfterReconnect = 0;
        offlineSubscriber.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref receivedAfterReconnect);
            return Task.CompletedTask;
        };
        await offlineSubscriber.ConnectAsync(offlineOptions);

        await WaitUntilAsync(() => receivedWithoutAck >= messageCount && receivedAfterReconnect >= messageCount, deliveryTimeout);
        Assert.Equal(messageCount, receivedWithoutAck);
        Assert.Equal(messageCount, receivedAfterReconnect);
    }

    [Fact]
    public async Task Mosquitto_keeps_a_queued_QoS1_message_of_a_persistent_session_across_a_restart()
    {
        await using var broker = await MosquittoServer.StartAsync();
        string topic = UniqueTopic();
        var options = PersistentSessionOptions(broker, "smoke-persistent");
        using var subscriber = mqtt.CreateMqttClient();
        await subscriber.ConnectAsync(options);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();
        await RunClientToolAsync("mosquitto_pub", "-h", broker.Host, "-p", $"{broker.Port}", "-q", "1", "-t", topic, "-m", "kept");

        await broker.StopAsync();
        await broker.StartAgainAsync();

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(PayloadText(e.ApplicationMessage));
            return Task.CompletedTask;
        };
        var connection = await subscriber.ConnectAsync(options);
        Assert.True(connection.IsSessionPresent, $"session lost across the restart\n{broker.LogTail()}");
        Assert.Equal("kept", await received.Task.WaitAsync(deliveryTimeout));
    }

    [Fact]
    public async Task Influx_stores_written_points_with_their_values_and_field_types()
    {
        var influx = services.Influx;
        string db = $"smoke_{Guid.NewGuid():N}";
        await influx.CreateDatabaseAsync(db);

        await influx.WriteAsync(db, """
            vehicle,vin=A speed=12.5,odometer=1200i,gear="D",moving=true 1700000000000
            vehicle,vin=B speed=0,odometer=7i,gear="P",moving=false 1700000000001
            """);

        var rows = (await influx.QueryAsync(db, "SELECT * FROM vehicle")).Rows().ToList();
        Assert.Equal(2, rows.Count);
        var first = rows.Single(row => row["vin"].GetString() == "A");
        Assert.Equal(1700000000000, first["time"].GetInt64());
        Assert.Equal(12.5, first["speed"].GetDouble());
        Assert.Equal(1200, first["odometer"].GetInt64());
        Assert.Equal("D", first["gear"].GetString());
        Assert.True(first["moving"].GetBoolean());

        var fieldTypes = (await influx.QueryAsync(db, "SHOW FIELD KEYS FROM vehicle")).Rows()
            .ToDictionary(row => row["fieldKey"].GetString()!, row => row["fieldType"].GetString());
        Assert.Equal(
            new Dictionary<string, string?> { ["gear"] = "string", ["moving"] = "boolean", ["odometer"] = "integer", ["speed"] = "float" },
            fieldTypes);

        Assert.Equal(2, await influx.WaitForCountAsync(db, "SELECT COUNT(speed) FROM vehicle", 2, TimeSpan.FromSeconds(5)));
        Assert.Equal(0, (await influx.QueryAsync(db, "SELECT COUNT(speed) FROM no_such_measurement")).Count());
    }

    [Fact]
    public async Task Influx_reports_a_missing_database_as_an_error()
    {
        var result = await services.Influx.QueryAsync("no_such_database", "SELECT COUNT(speed) FROM vehicle");

        Assert.Equal("database not found: no_such_database", result.Error);
        Assert.Throws<InvalidOperationException>(() => result.Count());
    }

    [Fact]
    public async Task Influx_keeps_its_data_across_a_stop_and_a_kill()
    {
        await using var influx = await InfluxServer.StartAsync();
        await influx.CreateDatabaseAsync("restart");
        await influx.WriteAsync("restart", "vehicle,vin=A speed=1 1700000000000");

        await influx.StopAsync();
        await influx.StartAgainAsync();
        await influx.WriteAsync("restart", "vehicle,vin=A speed=2 1700000000001");
        influx.Kill();
        await influx.StartAgainAsync();

        Assert.Equal(2, (await influx.QueryAsync("restart", "SELECT COUNT(speed) FROM vehicle")).Count());
    }

    [Fact]
    public async Task VictoriaMetrics_accepts_v2_line_protocol_and_exports_it()
    {
        await using var victoria = await VictoriaMetricsServer.StartAsync();
        using var http = new HttpClient();
        using var body = new StringContent("vehicle,vin=A speed=12.5,odometer=1200i");

        using var response = await http.PostAsync(new Uri(victoria.Url, "api/v2/write?bucket=x&org=y"), body);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);

        string export = await victoria.WaitForExportAsync("{__name__=~\"vehicle_.*\"}", 2, TimeSpan.FromSeconds(15));
        var series = export.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(line => line.GetProperty("metric").GetProperty("__name__").GetString()!);
        Assert.Equal(["vehicle_odometer", "vehicle_speed"], series.Keys.Order());
        Assert.Equal("A", series["vehicle_speed"].GetProperty("metric").GetProperty("vin").GetString());
        Assert.Equal(12.5, series["vehicle_speed"].GetProperty("values")[0].GetDouble());
        Assert.Equal(1200, series["vehicle_odometer"].GetProperty("values")[0].GetDouble());
    }

    static string UniqueTopic() => $"smoke/{Guid.NewGuid():N}";

    static string PayloadText(MqttApplicationMessage message) => Encoding.UTF8.GetString(message.Payload.ToArray());

    static MqttClientOptions ClientOptions(MosquittoServer broker, string clientId)
    {
        var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(clientId).Build();
        // MQTTnet's 8 KB default socket buffers stall a subscriber under load on loopback.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 256 * 1024;
        return options;
    }

    static MqttClientOptions PersistentSessionOptions(MosquittoServer broker, string clientId)
    {
        var options = ClientOptions(broker, clientId);
        options.CleanSession = false;
        options.SessionExpiryInterval = 3600;
        return options;
    }

    static async Task PublishManyAsync(IMqttClient publisher, string topic, int count)
    {
        var inFlight = new List<Task>();
        for (int i = 0; i < count; i++)
        {
            inFlight.Add(publisher.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic).WithPayload($"{{\"n\":{i}}}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build()));
            if (inFlight.Count == 100)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }
        await Task.WhenAll(inFlight);
    }

    static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition() && stopwatch.Elapsed < timeout)
            await Task.Delay(50);
    }

    /// <summary>Runs mosquitto_pub or mosquitto_sub to completion and returns its stdout.</summary>
    static async Task<string> RunClientToolAsync(string tool, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(ServiceInstaller.Locate(tool)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"{tool} {string.Join(' ', arguments)} did not finish within 20 s: {await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
