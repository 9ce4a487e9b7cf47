using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Mqtt;
using Telemetry.Pipeline.Quality;

namespace Telemetry.Gateway.Observability;

public static class ObservabilityServices
{
    /// <summary>Metrics, health endpoint, sampled rejection log, per-vehicle quality tracker.</summary>
    public static void AddObservability(this IServiceCollection services, GatewayMode mode)
    {
        services.AddSingleton<GatewayRuntime>();
        services.AddSingleton(sp => new QualityTracker(sp.GetRequiredService<IOptions<QualityOptions>>().Value));
        if (mode == GatewayMode.Subscriber)
        {
            services.AddSingleton<MqttConnectionWatch>();
            services.AddHostedService(sp => sp.GetRequiredService<MqttConnectionWatch>());
        }
        services.AddSingleton(sp => new GatewayMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<Pipeline.Counters.PipelineCounters>(), sp.GetRequiredService<GatewayRuntime>(),
            sp.GetRequiredService<QualityTracker>(),
            mode == GatewayMode.Subscriber ? sp.GetRequiredService<IMqttSubscriber>() : null,
            sp.GetService<MqttConnectionWatch>()));
        services.AddSingleton<ReadinessCheck>();
        services.AddHostedService<ObservabilityServer>();
        services.AddHostedService<RejectionLog>();
    }
}
