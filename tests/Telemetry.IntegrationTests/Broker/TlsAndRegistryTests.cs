using MQTTnet;
using MQTTnet.Protocol;
using Telemetry.Gateway.Devices;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>The TLS listener with certificates made in the test, device certificates (mTLS), and registry changes while running.</summary>
[Collection("services")]
public sealed class TlsAndRegistryTests(ServicesFixture services)
{
    private static string Telemetry() => $$"""{"ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000}},"speed_kmh":3}""";

    [Fact]
    public async Task Devices_connect_over_tls_with_a_password_or_with_a_client_certificate_naming_them()
    {
        string db = InfluxServer.NewDatabaseName("brk_tls");
        var directory = Directory.CreateTempSubdirectory("broker-tls-").FullName;
        using var certificates = new TestCertificates(directory);
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, db,
            [("EM-PW", "bkk", "emoto"), ("FL-CERT", "laem-chabang", "h2forklift")], tls: certificates, directory: directory);

        using (var byPassword = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.TlsPort, "EM-PW", gateway.Passwords["EM-PW"], trust: certificates.TrustChain())))
            Assert.Equal(MqttClientPublishReasonCode.Success, (await byPassword.PublishAsync("fleet/bkk/emoto/EM-PW/telemetry", Telemetry())).ReasonCode);

        using var deviceCertificate = certificates.DeviceCertificate("FL-CERT");
        using (var byCertificate = await DeviceClient.ConnectAsync(
            DeviceClient.Options(gateway.TlsPort, "FL-CERT", password: null, trust: certificates.TrustChain(), certificate: deviceCertificate)))
        {
            Assert.Equal(MqttClientPublishReasonCode.Success, (await byCertificate.PublishAsync("fleet/laem-chabang/h2forklift/FL-CERT/telemetry", Telemetry())).ReasonCode);
            // The certificate names FL-CERT: it does not open EM-PW's topics.
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await byCertificate.PublishAsync("fleet/bkk/emoto/EM-PW/telemetry", Telemetry())).ReasonCode);
        }
        await gateway.WaitForWrittenAsync(2, TimeSpan.FromSeconds(20));
        Assert.Equal(2, (await services.Influx.QueryAsync(db, "SELECT COUNT(speed_kmh) FROM telemetry")).Count());

        // A certificate for FL-CERT with the client id of another device, and one for a device not in the registry.
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await EmbeddedBrokerTests.RefusalAsync(
            DeviceClient.Options(gateway.TlsPort, "FL-CERT", null, clientId: "EM-PW", trust: certificates.TrustChain(), certificate: deviceCertificate)));
        using var unknown = certificates.DeviceCertificate("FL-UNKNOWN");
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await EmbeddedBrokerTests.RefusalAsync(
            DeviceClient.Options(gateway.TlsPort, "FL-UNKNOWN", null, trust: certificates.TrustChain(), certificate: unknown)));
    }

    [Fact]
    public async Task A_client_certificate_not_signed_by_the_device_ca_fails_the_handshake_and_a_client_must_trust_the_server()
    {
        var directory = Directory.CreateTempSubdirectory("broker-tls-").FullName;
        using var certificates = new TestCertificates(directory);
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, InfluxServer.NewDatabaseName("brk_tlsbad"), [("FL-CERT", "bkk", "h2forklift")],
            tls: certificates, directory: directory);

        using var forged = certificates.DeviceCertificate("FL-CERT", signedByStranger: true);
        using var client = new MqttClientFactory().CreateMqttClient();
        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(
            DeviceClient.Options(gateway.TlsPort, "FL-CERT", null, trust: certificates.TrustChain(), certificate: forged)));
        Assert.False(client.IsConnected);

        // A client that does not trust the gateway's CA refuses the server (no password is sent).
        using var stranger = new TestCertificates(Directory.CreateTempSubdirectory("other-ca-").FullName);
        using var careful = new MqttClientFactory().CreateMqttClient();
        await Assert.ThrowsAnyAsync<Exception>(() => careful.ConnectAsync(DeviceClient.Options(gateway.TlsPort, "FL-CERT", "x", trust: stranger.TrustChain())));
        Assert.Equal(0, gateway.Broker.ConnectionsAccepted);
    }

    [Fact]
    public async Task Registry_changes_apply_while_running_and_a_half_written_file_keeps_the_previous_devices()
    {
        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, InfluxServer.NewDatabaseName("brk_reload"), [("EM-1", "bkk", "emoto")]);
        var output = new StringWriter();

        // Added while running: the command prints the password once.
        Assert.Equal(0, DevicesCommand.Run(["add", "--id", "EM-2", "--site", "bkk", "--kind", "emoto", "--registry", gateway.RegistryPath], output, TextWriter.Null));
        string password = output.ToString().Trim();
        Assert.DoesNotContain(password, File.ReadAllText(gateway.RegistryPath));
        using var second = await EventuallyConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-2", password));
        Assert.Equal(MqttClientPublishReasonCode.Success, (await second.PublishAsync("fleet/bkk/emoto/EM-2/telemetry", Telemetry())).ReasonCode);

        // Disabled while connected: the open connection is closed and new ones are refused.
        using var first = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-1", gateway.Passwords["EM-1"]));
        Assert.Equal(0, DevicesCommand.Run(["disable", "--id", "EM-1", "--registry", gateway.RegistryPath], TextWriter.Null, TextWriter.Null));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (first.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(first.IsConnected);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await EmbeddedBrokerTests.RefusalAsync(DeviceClient.Options(gateway.PlainPort, "EM-1", gateway.Passwords["EM-1"])));

        // A half-written file (as an editor saving in place might leave it) changes nothing.
        string complete = File.ReadAllText(gateway.RegistryPath);
        File.WriteAllText(gateway.RegistryPath, complete[..(complete.Length / 2)]);
        await Task.Delay(1000);
        second.Dispose();
        using var again = await DeviceClient.ConnectAsync(DeviceClient.Options(gateway.PlainPort, "EM-2", password));
        Assert.True(again.IsConnected);
        File.WriteAllText(gateway.RegistryPath, complete);
    }

    private static async Task<IMqttClient> EventuallyConnectAsync(MqttClientOptions options)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            try
            {
                var result = await client.ConnectAsync(options);
                if (result.ResultCode == MqttClientConnectResultCode.Success) return client;
            }
            catch (MQTTnet.Adapter.MqttConnectingFailedException) { }
            client.Dispose();
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the new device was not accepted");
            await Task.Delay(100);
        }
    }
}
