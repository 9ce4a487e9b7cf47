using Microsoft.Extensions.Options;

namespace Telemetry.Gateway.Configuration;

/// <summary>The distinct validation failures in a start-up exception (one, or several aggregated when options depend on each other).</summary>
internal static class ConfigurationErrors
{
    public static IReadOnlyList<string> From(Exception e) => e switch
    {
        OptionsValidationException validation => validation.Failures.Distinct().ToArray(),
        AggregateException aggregate => aggregate.Flatten().InnerExceptions.OfType<OptionsValidationException>()
            .SelectMany(v => v.Failures).Distinct().ToArray(),
        _ => [],
    };
}
