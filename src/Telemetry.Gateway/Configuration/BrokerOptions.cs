namespace Telemetry.Gateway.Configuration;

/// <summary>What a PUBACK from the embedded broker promises; see docs/security.md, "Acknowledgements".</summary>
internal enum BrokerAcknowledge
{
    /// <summary>The message was decoded into the gateway's open batch (in memory).</summary>
    Accepted,
    /// <summary>The message's points are in InfluxDB or in the disk spool. Slower: one message per batch flush per connection.</summary>
    Written,
}

/// <summary>Section <c>Broker</c>: the embedded MQTT broker used when <c>Gateway:Mode</c> is <c>EmbeddedBroker</c>.</summary>
internal sealed class BrokerOptions
{
    public const string Section = "Broker";

    /// <summary>The device registry (JSON); a relative path is looked up in the working directory, then beside the executable.</summary>
    public string RegistryPath { get; set; } = "devices.json";
    /// <summary>The address both listeners bind to; 0.0.0.0 for every IPv4 interface.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";
    public PlainListenerOptions Plain { get; set; } = new();
    public TlsListenerOptions Tls { get; set; } = new();
    public BrokerAcknowledge Acknowledge { get; set; } = BrokerAcknowledge.Accepted;
    /// <summary>Larger publishes are refused (QuotaExceeded) before decoding.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;
    public RateLimitOptions RateLimit { get; set; } = new();
    /// <summary>PBKDF2 verifications allowed at once, so that a flood of bad logins cannot take every core.</summary>
    public int MaxConcurrentPasswordChecks { get; set; } = 2;

    public string ResolveRegistryPath()
    {
        if (Path.IsPathRooted(RegistryPath) || File.Exists(RegistryPath)) return Path.GetFullPath(RegistryPath);
        var besideExe = Path.Combine(AppContext.BaseDirectory, RegistryPath);
        return File.Exists(besideExe) ? besideExe : Path.GetFullPath(RegistryPath);
    }
}

internal sealed class PlainListenerOptions
{
    /// <summary>Passwords cross this listener in clear text: keep it off on networks you do not control.</summary>
    public bool Enabled { get; set; } = true;
    public int Port { get; set; } = 1883;
}

internal sealed class TlsListenerOptions
{
    public bool Enabled { get; set; }
    public int Port { get; set; } = 8883;
    /// <summary>PEM file of the server certificate (chain first).</summary>
    public string CertificateFile { get; set; } = "";
    /// <summary>PEM file of the certificate's private key (PKCS#8 or PKCS#1, unencrypted).</summary>
    public string KeyFile { get; set; } = "";
    /// <summary>PEM file of the CA that signs device certificates; empty turns client certificates off.</summary>
    public string ClientCaFile { get; set; } = "";
    /// <summary>With a <see cref="ClientCaFile"/>: refuse TLS connections without a valid client certificate.</summary>
    public bool RequireClientCertificate { get; set; }
}

/// <summary>Per-device token bucket: <see cref="MessagesPerSecond"/> on average, bursts of up to <see cref="Burst"/>.</summary>
internal sealed class RateLimitOptions
{
    public double MessagesPerSecond { get; set; } = 50;
    public int Burst { get; set; } = 500;
}
