using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>A throwaway CA, a server certificate for 127.0.0.1 and device certificates, written as PEM files.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _ca;

    public TestCertificates(string directory)
    {
        Directory = directory;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Test Fleet CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaFile = Path.Combine(directory, "ca.pem");
        File.WriteAllText(CaFile, _ca.ExportCertificatePem());

        var server = Issue("CN=gateway.test", serverAuth: true, san: true);
        ServerCertificateFile = Path.Combine(directory, "server.pem");
        ServerKeyFile = Path.Combine(directory, "server.key");
        File.WriteAllText(ServerCertificateFile, server.Certificate.ExportCertificatePem());
        File.WriteAllText(ServerKeyFile, server.Key.ExportPkcs8PrivateKeyPem());
        server.Certificate.Dispose();
        server.Key.Dispose();
    }

    public string Directory { get; }
    public string CaFile { get; }
    public string ServerCertificateFile { get; }
    public string ServerKeyFile { get; }

    public X509Certificate2Collection TrustChain() => [X509CertificateLoader.LoadCertificate(_ca.RawData)];

    /// <summary>A client certificate whose subject CN is <paramref name="deviceId"/>, with its key, signed by the CA (or by a stranger).</summary>
    public X509Certificate2 DeviceCertificate(string deviceId, bool signedByStranger = false)
    {
        var (certificate, key) = signedByStranger ? Stranger(deviceId) : Issue($"CN={deviceId}", serverAuth: false, san: false);
        using (certificate)
        using (key)
        using (var withKey = certificate.HasPrivateKey ? null : certificate.CopyWithPrivateKey(key))
            return X509CertificateLoader.LoadPkcs12((withKey ?? certificate).Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A client certificate for <paramref name="name"/> written as PEM files (certificate, unencrypted PKCS#8 key) in <see cref="Directory"/>.</summary>
    public (string CertificateFile, string KeyFile) WriteClientCertificate(string name)
    {
        using var certificate = DeviceCertificate(name);
        using var key = certificate.GetECDsaPrivateKey()!;
        string certificateFile = Path.Combine(Directory, $"{name}.pem"), keyFile = Path.Combine(Directory, $"{name}.key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    private (X509Certificate2 Certificate, ECDsa Key) Issue(string subject, bool serverAuth, bool san)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (san)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        var certificate = request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
        return (certificate, key);
    }

    private static (X509Certificate2, ECDsa) Stranger(string deviceId)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={deviceId}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10)), key);
    }

    public void Dispose() => _ca.Dispose();
}
