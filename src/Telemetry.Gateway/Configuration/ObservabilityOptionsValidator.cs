using Microsoft.Extensions.Options;

namespace Telemetry.Gateway.Configuration;

internal sealed class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservabilityOptions o)
    {
        var errors = new List<string>();
        const string s = ObservabilityOptions.Section;
        if (o.ListenUrl.Length > 0 && !(Uri.TryCreate(o.ListenUrl, UriKind.Absolute, out var url) && url.Scheme == "http" && url.AbsolutePath == "/" && url.Query.Length == 0))
            errors.Add($"{s}:ListenUrl '{o.ListenUrl}' is not http://host:port; allowed: e.g. http://127.0.0.1:9464, http://0.0.0.0:9464, or empty to turn the endpoint off");
        OptionsRules.Range(errors, $"{s}:RejectionLogSeconds", o.RejectionLogSeconds, 0, 86400);
        return OptionsRules.Result(errors);
    }
}
