using Microsoft.Extensions.DependencyInjection;

namespace Telemetry.Gateway.Sparkplug;

internal static class SparkplugServices
{
    /// <summary>The host's identity (subscriptions, STATE) for the message sources, and the service that sends its commands.</summary>
    public static void AddSparkplugHost(this IServiceCollection services)
    {
        services.AddSingleton<SparkplugHost>();
        services.AddSingleton<SparkplugHostService>();
        services.AddHostedService(sp => sp.GetRequiredService<SparkplugHostService>());
    }
}
