using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MQTTnet;
using Telemetry.Gateway.Devices;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>A gateway run with every secret set, and failed logins, logs none of them at any level.</summary>
[Collection("services")]
public sealed class SecretsNotLoggedTests(ServicesFixture services)
{
    [Fact]
    public async Task No_secret_appears_in_any_log_record_or_exception()
    {
        var directory = Directory.CreateTempSubdirectory("broker-secrets-").FullName;
        string influxToken = "tok-" + Guid.NewGuid().ToString("N");
        string influxPassword = "ipw-" + Guid.NewGuid().ToString("N");
        string mqttPassword = "mpw-" + Guid.NewGuid().ToString("N");
        string wrongPassword = "wrong-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(Path.Combine(directory, "influx-token"), influxToken + "\n");
        File.WriteAllText(Path.Combine(directory, "mqtt-password"), mqttPassword);
        var records = new ConcurrentQueue<string>();

        string db = InfluxServer.NewDatabaseName("secrets");
        await using (var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db, [("EM-S", "bkk", "emoto")], directory: directory,
            extra: new Dictionary<string, string?>
            {
                ["Influx:TokenFile"] = Path.Combine(directory, "influx-token"),
                ["Influx:Username"] = "gateway",
                ["Influx:Password"] = influxPassword,
                ["Mqtt:Username"] = "gateway",
                ["Mqtt:PasswordFile"] = Path.Combine(directory, "mqtt-password"),
                ["Logging:LogLevel:Default"] = "Trace",
                ["Gateway:StatsIntervalSeconds"] = "1",
            },
            logging: logging => logging.AddProvider(new RecordingLoggerProvider(records))))
        {
            string devicePassword = gateway.Passwords["EM-S"];
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
                await EmbeddedBrokerTests.RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-S", wrongPassword)));
            // A password typed into the user-name field.
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
                await EmbeddedBrokerTests.RefusalAsync(DeviceClient.Options(gateway.PlainPort, devicePassword, devicePassword)));
            using (var client = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-S", devicePassword)))
                await client.PublishAsync("fleet/bkk/emoto/EM-S/telemetry", $$"""{"speed_kmh":1}""");
            await gateway.WaitForWrittenAsync(1, TimeSpan.FromSeconds(20));
            await Task.Delay(1200); // one stats report

            string logged = string.Join("\n", records);
            Assert.Contains("Refused MQTT connection", logged);
            foreach (var secret in new[] { influxToken, influxPassword, mqttPassword, wrongPassword, devicePassword })
                Assert.DoesNotContain(secret, logged);
            Assert.DoesNotContain($"{PasswordHash.Scheme}$", logged);
        }
        Assert.NotEmpty(records);
    }

    /// <summary>Keeps every log record: category, level, formatted message, every structured value, and the exception.</summary>
    private sealed class RecordingLoggerProvider(ConcurrentQueue<string> records) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, records);
        public void Dispose() { }

        private sealed class RecordingLogger(string category, ConcurrentQueue<string> records) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                records.Enqueue($"{category} scope {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                records.Enqueue($"{category} {logLevel} {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
