using Microsoft.Extensions.Options;
using Telemetry.Contract.Topics;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.DeadLetters;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Gateway.Configuration;

/// <summary>
/// Start-up checks of every setting, each failure naming the key (as in appsettings.json, or with
/// <c>__</c> for <c>:</c> as an environment variable) and what is allowed.
/// </summary>
internal static class OptionsRules
{
    public static void Range(List<string> errors, string key, long value, long min, long max)
    {
        if (value < min || value > max) errors.Add($"{key} is {value}; allowed: {min} to {max}");
    }

    public static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}

internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions o)
    {
        var errors = new List<string>();
        const string s = GatewayOptions.Section;
        if (string.IsNullOrWhiteSpace(o.CataloguePath)) errors.Add($"{s}:CataloguePath is empty; set it to the signal catalogue file (signals.json)");
        else if (!File.Exists(o.ResolveCataloguePath())) errors.Add($"{s}:CataloguePath '{o.CataloguePath}' does not exist (looked in {Environment.CurrentDirectory} and {AppContext.BaseDirectory})");
        OptionsRules.Range(errors, $"{s}:MaxPayloadBytes", o.MaxPayloadBytes, 16, 64 * 1024 * 1024);
        if (o.MaxAge <= TimeSpan.Zero) errors.Add($"{s}:MaxAge is {o.MaxAge}; allowed: a positive time span such as 7.00:00:00");
        if (o.MaxFuture < TimeSpan.Zero) errors.Add($"{s}:MaxFuture is {o.MaxFuture}; allowed: zero or a positive time span such as 00:05:00");
        OptionsRules.Range(errors, $"{s}:MaxJsonDepth", o.MaxJsonDepth, 2, 256);
        OptionsRules.Range(errors, $"{s}:ShutdownTimeoutSeconds", o.ShutdownTimeoutSeconds, 1, 3600);
        OptionsRules.Range(errors, $"{s}:StatsIntervalSeconds", o.StatsIntervalSeconds, 0, 86400);
        return OptionsRules.Result(errors);
    }
}

internal sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions o)
    {
        var errors = new List<string>();
        const string s = MqttOptions.Section;
        if (string.IsNullOrWhiteSpace(o.Host)) errors.Add($"{s}:Host is empty; set the broker's host name or address");
        OptionsRules.Range(errors, $"{s}:Port", o.Port, 1, 65535);
        if (o.Qos is not (0 or 1)) errors.Add($"{s}:Qos is {o.Qos}; allowed: 0 or 1");
        if (string.IsNullOrWhiteSpace(o.ClientId) || o.ClientId.Length > 128) errors.Add($"{s}:ClientId must be 1-128 characters");
        if (!IsValidFilter(o.TopicFilter)) errors.Add($"{s}:TopicFilter '{o.TopicFilter}' is not an MQTT topic filter (e.g. fleet/+/+/+/+ or $share/group/fleet/+/+/+/+)");
        OptionsRules.Range(errors, $"{s}:ReceiveMaximum", o.ReceiveMaximum, 1, 65535);
        OptionsRules.Range(errors, $"{s}:KeepAliveSeconds", o.KeepAliveSeconds, 0, 65535);
        OptionsRules.Range(errors, $"{s}:ReconnectMinDelayMs", o.ReconnectMinDelayMs, 10, 600_000);
        OptionsRules.Range(errors, $"{s}:ReconnectMaxDelayMs", o.ReconnectMaxDelayMs, o.ReconnectMinDelayMs, 3_600_000);
        OptionsRules.Range(errors, $"{s}:SocketBufferBytes", o.SocketBufferBytes, 64 * 1024, 64 * 1024 * 1024);
        OptionsRules.Range(errors, $"{s}:ReadCoalesceMs", o.ReadCoalesceMs, 0, 100);
        OptionsRules.Range(errors, $"{s}:LeaveTimeoutSeconds", o.LeaveTimeoutSeconds, 1, 86_400);
        if (o.CaFile.Length > 0 && !File.Exists(o.CaFile)) errors.Add($"{s}:CaFile '{o.CaFile}' does not exist");
        if (o.CaFile.Length > 0 && !o.UseTls) errors.Add($"{s}:CaFile is set but {s}:UseTls is false; set UseTls to true");
        if ((o.ClientCertificateFile.Length > 0) != (o.ClientKeyFile.Length > 0))
            errors.Add($"{s}:ClientCertificateFile and {s}:ClientKeyFile go together; set both or neither");
        foreach (var (key, path) in new[] { ("ClientCertificateFile", o.ClientCertificateFile), ("ClientKeyFile", o.ClientKeyFile) })
            if (path.Length > 0 && !File.Exists(path)) errors.Add($"{s}:{key} '{path}' does not exist");
        if (o.ClientCertificateFile.Length > 0 && !o.UseTls) errors.Add($"{s}:ClientCertificateFile is set but {s}:UseTls is false; set UseTls to true");
        return OptionsRules.Result(errors);
    }

    internal static bool IsValidFilter(string filter)
    {
        if (string.IsNullOrEmpty(filter) || filter.Length > 1024) return false;
        var levels = filter.Split('/');
        for (int i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#') && (level != "#" || i != levels.Length - 1)) return false;
            if (level.Contains('+') && level != "+") return false;
        }
        return !filter.StartsWith("$share/", StringComparison.Ordinal) || levels.Length >= 3 && levels[1].Length > 0;
    }
}

internal sealed class InfluxOptionsValidator : IValidateOptions<InfluxOptions>
{
    public ValidateOptionsResult Validate(string? name, InfluxOptions o)
    {
        var errors = new List<string>();
        const string s = InfluxOptions.Section;
        if (o.Url is null || !o.Url.IsAbsoluteUri || o.Url.Scheme is not ("http" or "https"))
            errors.Add($"{s}:Url is '{o.Url}'; allowed: an http(s) URL such as http://127.0.0.1:8086");
        if (o.Api != InfluxApi.V2 && string.IsNullOrWhiteSpace(o.Database)) errors.Add($"{s}:Database is empty; the v1 and v3 APIs need a database name");
        if (o.Api is InfluxApi.V2 or InfluxApi.Auto && (string.IsNullOrWhiteSpace(o.Org) || string.IsNullOrWhiteSpace(o.Bucket)))
            errors.Add($"{s}:Org and {s}:Bucket must be set for the v2 API");
        if (o.Api == InfluxApi.V3)
        {
            if (!IsInfluxDb3Name(o.Database))
                errors.Add($"{s}:Database '{o.Database}' is not an InfluxDB 3 database name; allowed: ASCII letters, digits, '_' and '-', starting with a letter or digit");
            if (o.RetentionPolicy.Length > 0) errors.Add($"{s}:RetentionPolicy is '{o.RetentionPolicy}'; InfluxDB 3 has no retention policies: leave it empty");
        }
        OptionsRules.Range(errors, $"{s}:StartupTimeoutSeconds", o.StartupTimeoutSeconds, 1, 86_400);
        OptionsRules.Range(errors, $"{s}:TimeoutSeconds", o.TimeoutSeconds, 1, 600);
        OptionsRules.Range(errors, $"{s}:Writers", o.Writers, 1, 16);
        OptionsRules.Range(errors, $"{s}:RetryDelayMs", o.RetryDelayMs, 10, 60_000);
        OptionsRules.Range(errors, $"{s}:MaxRetryDelayMs", o.MaxRetryDelayMs, o.RetryDelayMs, 600_000);
        return OptionsRules.Result(errors);
    }

    /// <summary>InfluxDB 3's own rule (influxdb3_server validate_db_name), checked here so the mistake shows before any request.</summary>
    private static bool IsInfluxDb3Name(string name) =>
        name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}

internal sealed class BatchingOptionsValidator : IValidateOptions<BatchingOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchingOptions o)
    {
        var errors = new List<string>();
        const string s = BatchingOptions.Section;
        OptionsRules.Range(errors, $"{s}:MaxLines", o.MaxLines, 1, 1_000_000);
        OptionsRules.Range(errors, $"{s}:MaxBytes", o.MaxBytes, 1024, 256 * 1024 * 1024);
        OptionsRules.Range(errors, $"{s}:FlushIntervalMs", o.FlushIntervalMs, 1, 60_000);
        OptionsRules.Range(errors, $"{s}:MaxPendingBatches", o.MaxPendingBatches, 1, 1024);
        return OptionsRules.Result(errors);
    }
}

internal sealed class DeadLetterOptionsValidator : IValidateOptions<DeadLetterOptions>
{
    public ValidateOptionsResult Validate(string? name, DeadLetterOptions o)
    {
        var errors = new List<string>();
        const string s = DeadLetterOptions.Section;
        if (string.IsNullOrWhiteSpace(o.Directory)) errors.Add($"{s}:Directory is empty; set a writable directory");
        OptionsRules.Range(errors, $"{s}:MaxFileBytes", o.MaxFileBytes, 4096, long.MaxValue);
        OptionsRules.Range(errors, $"{s}:KeepFiles", o.KeepFiles, 0, 1000);
        OptionsRules.Range(errors, $"{s}:MaxPayloadBytes", o.MaxPayloadBytes, 0, 262144);
        return OptionsRules.Result(errors);
    }
}

internal sealed class SpoolOptionsValidator : IValidateOptions<SpoolOptions>
{
    public ValidateOptionsResult Validate(string? name, SpoolOptions o)
    {
        var errors = new List<string>();
        const string s = SpoolOptions.Section;
        if (o.Enabled && string.IsNullOrWhiteSpace(o.Directory)) errors.Add($"{s}:Directory is empty; set a writable directory on persistent storage");
        OptionsRules.Range(errors, $"{s}:SegmentBytes", o.SegmentBytes, 64 * 1024, 1L << 40);
        OptionsRules.Range(errors, $"{s}:MaxBytes", o.MaxBytes, o.SegmentBytes, 1L << 50);
        OptionsRules.Range(errors, $"{s}:RetryBudgetMs", o.RetryBudgetMs, 0, 3_600_000);
        return OptionsRules.Result(errors);
    }
}
