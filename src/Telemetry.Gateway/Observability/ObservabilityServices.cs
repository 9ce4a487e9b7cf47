using Microsoft.Extensions.DependencyInjection;

namespace Telemetry.Gateway.Observability;

internal static class ObservabilityServices
{
    /// <summary>Metrics, health endpoints, sampled rejection log.</summary>
    public static void AddObservability(this IServiceCollection services)
    {
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<ReadinessCheck>();
        services.AddHostedService<ObservabilityServer>();
        services.AddHostedService<RejectionLog>();
    }
}
