using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>An MQTTnet client connecting as a vehicle: user name and client id are the device id.</summary>
public static class DeviceClient
{
    public static MqttClientOptions Options(int port, string id, string? password, string? clientId = null,
        X509Certificate2Collection? trust = null, X509Certificate2? certificate = null, MqttProtocolVersion protocol = MqttProtocolVersion.V500)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId ?? id)
            .WithProtocolVersion(protocol)
            .WithCleanStart()
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (password is not null) builder.WithCredentials(id, password);
        if (trust is not null)
        {
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTrustChain(trust).WithTargetHost("localhost");
                if (certificate is not null) tls.WithClientCertificates([certificate]);
            });
        }
        return builder.Build();
    }

    public static async Task<IMqttClient> ConnectAsync(MqttClientOptions options)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(options);
        return client;
    }

    public static Task<MqttClientPublishResult> PublishAsync(this IMqttClient client, string topic, string payload,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).Build());
}
