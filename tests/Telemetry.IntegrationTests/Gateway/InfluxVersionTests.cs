using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.IntegrationTests.Services;
using Telemetry.Pipeline.Influx;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>What <c>/ping</c> detection makes of the servers that run for real here (3.x: see InfluxDb3GatewayTests).</summary>
[Collection("services")]
public sealed class InfluxVersionTests(ServicesFixture services)
{
    [Fact]
    public async Task Influxd_1_6_7_is_written_to_with_the_v1_api()
    {
        var options = new InfluxOptions { Url = services.Influx.Url };
        using var http = InfluxWriter.CreateHttpClient(options);
        var server = await InfluxServerProbe.PingAsync(http, options, CancellationToken.None);

        Assert.Equal(InfluxApi.V1, server.Api);
        Assert.StartsWith("1.6.7", server.Version);
    }

    [Fact]
    public async Task VictoriaMetrics_with_no_version_is_written_to_with_the_v2_api()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        var options = new InfluxOptions { Url = vm.Url, Bucket = "fleet", CreateDatabase = false, StartupTimeoutSeconds = 20 };
        using var http = InfluxWriter.CreateHttpClient(options);
        var server = await InfluxStartup.ConnectAsync(http, options, NullLogger.Instance, TimeProvider.System, CancellationToken.None);

        Assert.Equal(InfluxApi.V2, server.Api);
    }
}
