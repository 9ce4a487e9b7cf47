using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Configuration;
using Telemetry.Pipeline.Quality;

namespace Telemetry.Gateway.Observability;

internal static class ObservabilityServices
{
    /// <summary>Metrics, health endpoint, sampled rejection log, per-vehicle quality tracker.</summary>
    public static void AddObservability(this IServiceCollection services)
    {
        services.AddSingleton<GatewayRuntime>();
        services.AddSingleton(sp => new QualityTracker(sp.GetRequiredService<IOptions<QualityOptions>>().Value));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<ReadinessCheck>();
        services.AddHostedService<ObservabilityServer>();
        services.AddHostedService<RejectionLog>();
    }
}
