using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Telemetry.Gateway.Configuration;

namespace Telemetry.Gateway.Broker;

/// <summary>The TLS listener's certificate (PEM files) and the check of device certificates against the device CA.</summary>
internal sealed class ListenerCertificates
{
    private readonly X509Certificate2Collection? _deviceCa;
    private readonly bool _requireClientCertificate;

    public ListenerCertificates(TlsListenerOptions options)
    {
        using var pem = X509Certificate2.CreateFromPemFile(options.CertificateFile, options.KeyFile);
        // Re-imported so the key is usable by SslStream on every platform (a PEM key is ephemeral).
        ServerCertificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        if (options.ClientCaFile.Length > 0)
        {
            _deviceCa = [];
            _deviceCa.ImportFromPemFile(options.ClientCaFile);
        }
        _requireClientCertificate = options.RequireClientCertificate;
    }

    public X509Certificate2 ServerCertificate { get; }

    /// <summary>Whether the TLS handshake asks for a client certificate at all.</summary>
    public bool RequestClientCertificate => _deviceCa is not null;

    /// <summary>A certificate that reaches the connection check has passed this, so its subject CN can be trusted as the device id.</summary>
    public bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return !_requireClientCertificate;
        if (_deviceCa is null) return false;
        using var candidate = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var deviceChain = new X509Chain();
        deviceChain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        deviceChain.ChainPolicy.CustomTrustStore.AddRange(_deviceCa);
        deviceChain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        deviceChain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        return deviceChain.Build(candidate);
    }

    /// <summary>The device id a verified client certificate names (its subject CN), or null.</summary>
    public string? DeviceIdOf(X509Certificate2? certificate) =>
        _deviceCa is null || certificate is null ? null : certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
}
