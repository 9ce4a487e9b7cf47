using Telemetry.IntegrationTests.Broker;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>Subscriber mode over TLS to a real mosquitto (its own listener, a test CA), with both clients.</summary>
[Collection("services")]
public sealed class SubscriberTlsTests(ServicesFixture services)
{
    [Theory]
    [EachMqttClient]
    public async Task Messages_arrive_over_tls_when_the_broker_is_signed_by_the_configured_ca(string client)
    {
        var directory = Directory.CreateTempSubdirectory("mqtt-tls-").FullName;
        using var certificates = new TestCertificates(directory);
        await using var broker = await MosquittoServer.StartAsync(
            $"cafile {certificates.CaFile}\ncertfile {certificates.ServerCertificateFile}\nkeyfile {certificates.ServerKeyFile}\n");
        string db = InfluxServer.NewDatabaseName("tls");
        await using var gateway = await RunningGateway.StartAsync(broker.Port, services.Influx.Url, db, new Dictionary<string, string?>
        {
            ["Mqtt:Client"] = client,
            ["Mqtt:UseTls"] = "true",
            ["Mqtt:CaFile"] = certificates.CaFile,
        });
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;

        using var publish = System.Diagnostics.Process.Start("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", broker.Port.ToString(), "--cafile", certificates.CaFile, "-q", "1",
             "-t", "fleet/bkk/h2bus/BUS-TLS/telemetry", "-m", $$"""{"ts":{{ts}},"seq":7,"passengers":12}"""])!;
        await publish.WaitForExitAsync();
        Assert.Equal(0, publish.ExitCode);

        await gateway.WaitForAckedAsync(1, TimeSpan.FromSeconds(20));
        Assert.Equal(12, (await services.Influx.QueryAsync(db, "SELECT passengers FROM telemetry")).Rows().Single()["passengers"].GetInt64());
    }

    [Fact]
    public async Task A_broker_certificate_from_an_unknown_ca_is_refused()
    {
        var directory = Directory.CreateTempSubdirectory("mqtt-tls-").FullName;
        using var certificates = new TestCertificates(directory);
        await using var broker = await MosquittoServer.StartAsync(
            $"cafile {certificates.CaFile}\ncertfile {certificates.ServerCertificateFile}\nkeyfile {certificates.ServerKeyFile}\n");

        var refused = await Assert.ThrowsAsync<TimeoutException>(() => RunningGateway.StartAsync(broker.Port, services.Influx.Url, "tls_refused",
            new Dictionary<string, string?> { ["Mqtt:UseTls"] = "true" }));
        Assert.Contains("did not connect", refused.Message);
    }

    [Theory]
    [EachMqttClient]
    public async Task With_a_client_certificate_the_gateway_passes_a_broker_that_requires_one(string client)
    {
        var directory = Directory.CreateTempSubdirectory("mqtt-mtls-").FullName;
        using var certificates = new TestCertificates(directory);
        var (certificateFile, keyFile) = certificates.WriteClientCertificate("gateway-mtls");
        await using var broker = await MosquittoServer.StartAsync(
            $"cafile {certificates.CaFile}\ncertfile {certificates.ServerCertificateFile}\nkeyfile {certificates.ServerKeyFile}\nrequire_certificate true\n");
        var tls = new Dictionary<string, string?>
        {
            ["Mqtt:Client"] = client,
            ["Mqtt:UseTls"] = "true",
            ["Mqtt:CaFile"] = certificates.CaFile,
        };

        // Without a certificate the broker ends the handshake.
        await Assert.ThrowsAsync<TimeoutException>(() => RunningGateway.StartAsync(broker.Port, services.Influx.Url, "mtls_refused", tls));

        string db = InfluxServer.NewDatabaseName("mtls");
        tls["Mqtt:ClientCertificateFile"] = certificateFile;
        tls["Mqtt:ClientKeyFile"] = keyFile;
        await using var gateway = await RunningGateway.StartAsync(broker.Port, services.Influx.Url, db, tls);
        var (publisherCertificate, publisherKey) = certificates.WriteClientCertificate("publisher");
        long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;
        using var publish = System.Diagnostics.Process.Start("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", broker.Port.ToString(), "--cafile", certificates.CaFile, "--cert", publisherCertificate, "--key", publisherKey,
             "-q", "1", "-t", "fleet/bkk/h2bus/BUS-MTLS/telemetry", "-m", $$"""{"ts":{{ts}},"seq":8,"passengers":21}"""])!;
        await publish.WaitForExitAsync();
        Assert.Equal(0, publish.ExitCode);

        await gateway.WaitForAckedAsync(1, TimeSpan.FromSeconds(20));
        Assert.Equal(21, (await services.Influx.QueryAsync(db, "SELECT passengers FROM telemetry")).Rows().Single()["passengers"].GetInt64());
    }
}
