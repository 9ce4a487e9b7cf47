using System.Security.Cryptography.X509Certificates;
using Telemetry.Gateway.Configuration;

namespace Telemetry.Gateway.Mqtt;

/// <summary>The certificate the gateway presents to the broker (mTLS), from <see cref="MqttOptions.ClientCertificateFile"/> and its key.</summary>
internal static class ClientCertificate
{
    /// <summary>Null when none is set. Read at each connection, so a renewed certificate is picked up on the next reconnect.</summary>
    public static X509Certificate2? Load(MqttOptions options) =>
        options.ClientCertificateFile.Length == 0 ? null : X509Certificate2.CreateFromPemFile(options.ClientCertificateFile, options.ClientKeyFile);
}
