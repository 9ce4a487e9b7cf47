using System.Security.Cryptography.X509Certificates;
using Telemetry.Gateway.Configuration;

namespace Telemetry.Gateway.Mqtt;

/// <summary>The certificates of <see cref="MqttOptions.CaFile"/>, which the broker's chain must end in (instead of the system's roots).</summary>
internal static class BrokerCa
{
    /// <summary>Null when no CA file is set: the system's trust store decides.</summary>
    public static X509Certificate2Collection? Load(MqttOptions options)
    {
        if (options.CaFile.Length == 0) return null;
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(options.CaFile);
        return ca;
    }
}
