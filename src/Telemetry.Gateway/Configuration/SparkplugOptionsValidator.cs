using Microsoft.Extensions.Options;
using Telemetry.Contract.Sparkplug;
using Telemetry.Contract.Topics;

namespace Telemetry.Gateway.Configuration;

/// <summary>Checks section <c>Sparkplug</c>: the host's identity and subscription (when enabled) and the decoder's bounds (always: the decoder reads any <c>spBv1.0/</c> topic it is given).</summary>
internal sealed class SparkplugOptionsValidator : IValidateOptions<SparkplugOptions>
{
    public ValidateOptionsResult Validate(string? name, SparkplugOptions o)
    {
        var errors = new List<string>();
        const string s = SparkplugOptions.Section;
        if (o.Enabled)
        {
            if (!TopicParser.IsValidVehicleId(o.HostId))
                errors.Add($"{s}:HostId '{o.HostId}' is not a Sparkplug host id here; allowed: 1-64 of A-Z a-z 0-9 _ . - (e.g. telemetry-gateway)");
            if (!MqttOptionsValidator.IsValidFilter(o.TopicFilter) || !o.TopicFilter.StartsWith("spBv1.0/", StringComparison.Ordinal))
                errors.Add($"{s}:TopicFilter '{o.TopicFilter}' is not a Sparkplug B filter; allowed: spBv1.0/# or one group's spBv1.0/GROUP/# (never $share/: one host must see all of an edge node's messages in order)");
            if (string.IsNullOrWhiteSpace(o.SessionFile)) errors.Add($"{s}:SessionFile is empty; set a file on persistent storage (e.g. var/sparkplug/sessions.log)");
        }
        OptionsRules.Range(errors, $"{s}:ReorderTimeoutMs", o.ReorderTimeoutMs, 100, 60_000);
        OptionsRules.Range(errors, $"{s}:RebirthIntervalMs", o.RebirthIntervalMs, 100, 3_600_000);
        OptionsRules.Range(errors, $"{s}:MaxAliasTables", o.MaxAliasTables, 1, 10_000_000);
        OptionsRules.Range(errors, $"{s}:Limits:MaxDepth", o.Limits.MaxDepth, 1, 100);
        OptionsRules.Range(errors, $"{s}:Limits:MaxMetrics", o.Limits.MaxMetrics, 1, 1_000_000);
        OptionsRules.Range(errors, $"{s}:Limits:MaxElements", o.Limits.MaxElements, 1, 1_000_000);
        return OptionsRules.Result(errors);
    }
}
