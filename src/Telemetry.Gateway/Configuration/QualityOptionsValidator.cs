using Microsoft.Extensions.Options;
using Telemetry.Pipeline.Quality;

namespace Telemetry.Gateway.Configuration;

internal sealed class QualityOptionsValidator : IValidateOptions<QualityOptions>
{
    public ValidateOptionsResult Validate(string? name, QualityOptions o)
    {
        var errors = new List<string>();
        const string s = QualityOptions.Section;
        OptionsRules.Range(errors, $"{s}:IntervalSeconds", o.IntervalSeconds, 1, 86400);
        OptionsRules.Range(errors, $"{s}:MaxVehicles", o.MaxVehicles, 1, 10_000_000);
        if (o.ForgetIdleAfter < TimeSpan.FromSeconds(o.IntervalSeconds))
            errors.Add($"{s}:ForgetIdleAfter is {o.ForgetIdleAfter}; allowed: at least {s}:IntervalSeconds, e.g. 1.00:00:00");
        if (o.GatewayTag.Length > 128) errors.Add($"{s}:GatewayTag is {o.GatewayTag.Length} characters; allowed: up to 128");
        return OptionsRules.Result(errors);
    }
}
