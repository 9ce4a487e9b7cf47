using System.Net;
using Microsoft.Extensions.Options;

namespace Telemetry.Gateway.Configuration;

/// <summary>Checks section <c>Broker</c>, only when <c>Gateway:Mode</c> is <c>EmbeddedBroker</c>.</summary>
internal sealed class BrokerOptionsValidator(IOptions<GatewayOptions> gateway) : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions o)
    {
        if (gateway.Value.Mode != GatewayMode.EmbeddedBroker) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        const string s = BrokerOptions.Section;
        if (string.IsNullOrWhiteSpace(o.RegistryPath))
            errors.Add($"{s}:RegistryPath is empty; set it to the device registry file (create one with: telemetry-gateway devices add --id ... --registry devices.json)");
        else if (!File.Exists(o.ResolveRegistryPath()))
            errors.Add($"{s}:RegistryPath '{o.RegistryPath}' does not exist; create it with: telemetry-gateway devices add --id ID --site SITE --kind KIND --registry {o.RegistryPath}");
        if (!IPAddress.TryParse(o.BindAddress, out _)) errors.Add($"{s}:BindAddress '{o.BindAddress}' is not an IP address; allowed: e.g. 0.0.0.0, 127.0.0.1, 10.0.0.5");
        if (!o.Plain.Enabled && !o.Tls.Enabled) errors.Add($"{s}:Plain:Enabled and {s}:Tls:Enabled are both false; enable at least one listener");
        if (o.Plain.Enabled) OptionsRules.Range(errors, $"{s}:Plain:Port", o.Plain.Port, 1, 65535);
        if (o.Tls.Enabled)
        {
            OptionsRules.Range(errors, $"{s}:Tls:Port", o.Tls.Port, 1, 65535);
            if (o.Plain.Enabled && o.Plain.Port == o.Tls.Port) errors.Add($"{s}:Plain:Port and {s}:Tls:Port are both {o.Tls.Port}; use two ports");
            RequireFile(errors, $"{s}:Tls:CertificateFile", o.Tls.CertificateFile, "the server certificate (PEM)");
            RequireFile(errors, $"{s}:Tls:KeyFile", o.Tls.KeyFile, "the server certificate's private key (PEM)");
            if (o.Tls.ClientCaFile.Length > 0 && !File.Exists(o.Tls.ClientCaFile)) errors.Add($"{s}:Tls:ClientCaFile '{o.Tls.ClientCaFile}' does not exist");
        }
        if (o.Tls.RequireClientCertificate && o.Tls.ClientCaFile.Length == 0)
            errors.Add($"{s}:Tls:RequireClientCertificate is true but {s}:Tls:ClientCaFile is empty; set the CA that signs device certificates");
        OptionsRules.Range(errors, $"{s}:MaxPayloadBytes", o.MaxPayloadBytes, 16, 64 * 1024 * 1024);
        if (!(o.RateLimit.MessagesPerSecond > 0) || o.RateLimit.MessagesPerSecond > 1_000_000)
            errors.Add($"{s}:RateLimit:MessagesPerSecond is {o.RateLimit.MessagesPerSecond}; allowed: above 0, up to 1000000");
        OptionsRules.Range(errors, $"{s}:RateLimit:Burst", o.RateLimit.Burst, 1, 10_000_000);
        OptionsRules.Range(errors, $"{s}:MaxConcurrentPasswordChecks", o.MaxConcurrentPasswordChecks, 1, 64);
        return OptionsRules.Result(errors);
    }

    private static void RequireFile(List<string> errors, string key, string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) errors.Add($"{key} is empty; set it to {what} (the TLS listener is enabled)");
        else if (!File.Exists(path)) errors.Add($"{key} '{path}' does not exist");
    }
}
