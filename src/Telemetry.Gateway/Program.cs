using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Telemetry.Contract.Catalogue;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Devices;
using Telemetry.Gateway.Hosting;
using Telemetry.Gateway.Mqtt;
using Telemetry.Gateway.Study;

if (args.Length > 0 && args[0] == "devices") return DevicesCommand.Run(args[1..], Console.Out, Console.Error);
if (args.Length > 0 && args[0] == "study") return await StudyCommand.RunAsync(args[1..], Console.Out, Console.Error);

try
{
    if (args.Length > 0 && args[0] == "mqtt") return await DrainSessionCommand.RunAsync(args[1..], Console.Out, Console.Error);
    using var host = GatewayHost.Build(args);
    var startup = host.Services.GetRequiredService<GatewayStartup>();
    await host.RunAsync();
    if (startup.InfluxFailure is { } failure)
    {
        // 2 like any configuration error (systemd does not restart it); 3: InfluxDB was not there in time (restart may help).
        Console.Error.WriteLine($"InfluxDB error: {failure.Message}");
        return failure.Retryable ? 3 : 2;
    }
    return 0;
}
catch (Exception e) when (ConfigurationErrors.From(e) is { Count: > 0 } failures)
{
    Console.Error.WriteLine("Configuration error (fix these settings in appsettings.json or as environment variables, Section__Key):");
    foreach (var failure in failures) Console.Error.WriteLine($"  - {failure}");
    return 2;
}
catch (InvalidOperationException e) when (e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"Configuration error: {e.Message}{(e.InnerException is null ? "" : " " + e.InnerException.Message)}");
    return 2;
}
catch (CatalogueException e)
{
    Console.Error.WriteLine($"Signal catalogue error: {e.Message}");
    return 2;
}
