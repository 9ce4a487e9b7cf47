using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Hosting;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>A bad setting stops start-up with a message that names the key and what is allowed.</summary>
public sealed class ConfigurationTests
{
    private const string Quiet = "Logging:LogLevel:Default";
    private const string SessionFileKey = "Sparkplug:SessionFile";

    /// <summary>Each host its own: hosts are built (and their services made) even when a setting then stops them, and tests run in parallel.</summary>
    private static string NewSessionFile() => Path.Combine(Directory.CreateTempSubdirectory("config-test-").FullName, "sessions.log");

    [Theory]
    [InlineData("Mqtt:Qos", "2", "Mqtt:Qos is 2; allowed: 0 or 1")]
    [InlineData("Mqtt:Port", "70000", "Mqtt:Port is 70000; allowed: 1 to 65535")]
    [InlineData("Mqtt:ReadCoalesceMs", "500", "Mqtt:ReadCoalesceMs is 500; allowed: 0 to 100")]
    [InlineData("Mqtt:TopicFilter", "fleet/#/x", "Mqtt:TopicFilter 'fleet/#/x' is not an MQTT topic filter")]
    [InlineData("Influx:Url", "ftp://db", "Influx:Url is 'ftp://db/'; allowed: an http(s) URL")]
    [InlineData("Batching:MaxLines", "0", "Batching:MaxLines is 0; allowed: 1 to 1000000")]
    [InlineData("Gateway:CataloguePath", "/nonexistent/signals.json", "Gateway:CataloguePath '/nonexistent/signals.json' does not exist")]
    [InlineData("DeadLetter:KeepFiles", "-1", "DeadLetter:KeepFiles is -1")]
    [InlineData("Influx:StartupTimeoutSeconds", "0", "Influx:StartupTimeoutSeconds is 0; allowed: 1 to 86400")]
    [InlineData("Sparkplug:HostId", "plant/host", "Sparkplug:HostId 'plant/host' is not a Sparkplug host id here")]
    [InlineData("Sparkplug:TopicFilter", "$share/g/spBv1.0/#", "Sparkplug:TopicFilter '$share/g/spBv1.0/#' is not a Sparkplug B filter")]
    [InlineData("Sparkplug:TopicFilter", "fleet/#", "Sparkplug:TopicFilter 'fleet/#' is not a Sparkplug B filter")]
    [InlineData("Sparkplug:ReorderTimeoutMs", "0", "Sparkplug:ReorderTimeoutMs is 0; allowed: 100 to 60000")]
    [InlineData("Sparkplug:MaxAliasTables", "0", "Sparkplug:MaxAliasTables is 0; allowed: 1 to 10000000")]
    [InlineData("Sparkplug:Limits:MaxDepth", "500", "Sparkplug:Limits:MaxDepth is 500; allowed: 1 to 100")]
    [InlineData("Sparkplug:SessionFile", "/proc/self/no-such-dir/sessions.log", "Sparkplug:SessionFile '/proc/self/no-such-dir/sessions.log' cannot be used")]
    public async Task Invalid_settings_stop_start_up_naming_the_key(string key, string value, string expected)
    {
        using var host = GatewayHost.Build([], new Dictionary<string, string?> { [SessionFileKey] = NewSessionFile(), [key] = value, [Quiet] = "None" });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains(ConfigurationErrors.From(error), f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Influx:Api", "v4")]
    [InlineData("Mqtt:Client", "Paho")]
    [InlineData("Sparkplug:Enabled", "maybe")]
    public async Task A_value_of_the_wrong_type_names_the_key(string key, string value)
    {
        using var host = GatewayHost.Build([], new Dictionary<string, string?> { [SessionFileKey] = NewSessionFile(), [key] = value, [Quiet] = "None" });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains(key, error.Message);
    }

    [Theory]
    [InlineData("Influx:Database", "fleet/autogen", "Influx:Database 'fleet/autogen' is not an InfluxDB 3 database name")]
    [InlineData("Influx:Database", "_fleet", "Influx:Database '_fleet' is not an InfluxDB 3 database name")]
    [InlineData("Influx:RetentionPolicy", "autogen", "Influx:RetentionPolicy is 'autogen'; InfluxDB 3 has no retention policies")]
    public async Task InfluxDB_3_settings_are_checked_against_its_own_rules(string key, string value, string expected)
    {
        using var host = GatewayHost.Build([], new Dictionary<string, string?> { [SessionFileKey] = NewSessionFile(), ["Influx:Api"] = "V3", [key] = value, [Quiet] = "None" });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains(ConfigurationErrors.From(error), f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_variables_override_appsettings()
    {
        Environment.SetEnvironmentVariable("Mqtt__ClientId", "from-env");
        try
        {
            using var host = GatewayHost.Build([]);
            var options = (IOptions<Telemetry.Gateway.Configuration.MqttOptions>)host.Services.GetService(typeof(IOptions<Telemetry.Gateway.Configuration.MqttOptions>))!;
            Assert.Equal("from-env", options.Value.ClientId);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Mqtt__ClientId", null);
        }
    }
}
