using System.Security.Cryptography;
using System.Text;
using MQTTnet;
using Telemetry.Gateway.Devices;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>
/// The embedded broker refuses a device's password with any byte added: NULs appended (which plain PBKDF2-HMAC
/// cannot tell apart below 64 bytes), at 2, 62, 63 and 64 bytes, and for a hash stored in the first form.
/// </summary>
[Collection("services")]
public sealed class PasswordBytesTests(ServicesFixture services)
{
    private static byte[] PasswordOf(int length) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Zr8_", 16)))[..length];
    private static byte[] WithNuls(byte[] password, int nuls) => [.. password, .. new byte[nuls]];

    private static MqttClientOptions Login(int port, string id, byte[] password) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", port).WithClientId(id).WithCredentials(id, password).WithCleanStart()
        .WithTimeout(TimeSpan.FromSeconds(20)).Build();

    private static string LegacyHash(byte[] password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, PasswordHash.MinIterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${PasswordHash.MinIterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    [Fact]
    public async Task A_password_with_nuls_appended_or_taken_away_is_refused_at_every_length()
    {
        var devices = new List<DeviceEntry>();
        var passwords = new Dictionary<string, byte[]>();
        foreach (int length in new[] { 2, 62, 63, 64 })
        {
            string id = $"EM-LEN{length}";
            passwords[id] = PasswordOf(length);
            devices.Add(new DeviceEntry { Id = id, Site = "bkk", Kind = "emoto", PasswordHash = PasswordHash.Create(passwords[id], PasswordHash.MinIterations) });
        }
        // A password that really ends in a NUL (62 + 1 bytes): the same without it is another password.
        passwords["EM-NUL"] = WithNuls(PasswordOf(62), 1);
        devices.Add(new DeviceEntry { Id = "EM-NUL", Site = "bkk", Kind = "emoto", PasswordHash = PasswordHash.Create(passwords["EM-NUL"], PasswordHash.MinIterations) });
        // A registry written before the current hash form.
        passwords["EM-OLD"] = Encoding.ASCII.GetBytes(PasswordHash.NewPassword());
        devices.Add(new DeviceEntry { Id = "EM-OLD", Site = "bkk", Kind = "emoto", PasswordHash = LegacyHash(passwords["EM-OLD"]) });

        await using var gateway = await BrokerGateway.StartAsync(services.Influx.Url, InfluxServer.NewDatabaseName("brk_nul"), [], entries: devices);

        int refused = 0;
        foreach (var (id, password) in passwords)
        {
            foreach (var wrong in new[] { WithNuls(password, 1), WithNuls(password, 2) })
            {
                Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await EmbeddedBrokerTests.RefusalAsync(Login(gateway.PlainPort, id, wrong)));
                refused++;
            }
            using var client = await DeviceClient.ConnectAsync(Login(gateway.PlainPort, id, password));
            Assert.True(client.IsConnected, id);
            await client.DisconnectAsync();
            // After a success the password is remembered; a variant must still pay the full check and fail.
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await EmbeddedBrokerTests.RefusalAsync(Login(gateway.PlainPort, id, WithNuls(password, 1))));
            refused++;
        }
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await EmbeddedBrokerTests.RefusalAsync(Login(gateway.PlainPort, "EM-NUL", passwords["EM-NUL"][..^1])));
        refused++;

        Assert.Equal(refused, gateway.Broker.ConnectionsRefused);
        Assert.Equal(passwords.Count, gateway.Broker.ConnectionsAccepted);
    }
}
