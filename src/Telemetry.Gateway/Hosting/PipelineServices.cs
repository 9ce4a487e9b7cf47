using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Telemetry.Gateway.Configuration;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.DeadLetters;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Quality;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Gateway.Hosting;

/// <summary>
/// The pipeline and what it is made of, built once when the host starts (a bad catalogue or spool then stops
/// start-up); <see cref="GatewayService"/> gives it its InfluxDB writers once start-up has reached InfluxDB.
/// </summary>
internal static class PipelineServices
{
    /// <param name="spoolEnabled"><c>Spool:Enabled</c>: without a spool no <see cref="DiskSpool"/> is registered</param>
    public static void AddPipeline(this IServiceCollection services, bool spoolEnabled)
    {
        services.AddSingleton<PipelineCounters>();
        services.AddSingleton(sp => new QualityTracker(Value<QualityOptions>(sp)));
        services.AddSingleton(sp => SignalCatalogue.Load(Value<GatewayOptions>(sp).ResolveCataloguePath()));
        services.AddSingleton(sp => new PayloadDecoder(sp.GetRequiredService<SignalCatalogue>(), Value<GatewayOptions>(sp).ToDecoderOptions()));
        services.AddSingleton(sp => new DeadLetterFile(Value<DeadLetterOptions>(sp)));
        if (spoolEnabled) services.AddSingleton(sp => DiskSpool.Open(Value<SpoolOptions>(sp), sp.GetRequiredService<ILogger<DiskSpool>>()));
        services.AddSingleton(sp => new IngestPipeline(sp.GetRequiredService<PayloadDecoder>(), sp.GetService<DiskSpool>(), Value<SpoolOptions>(sp),
            sp.GetRequiredService<DeadLetterFile>(), sp.GetRequiredService<PipelineCounters>(), Value<BatchingOptions>(sp), Value<InfluxOptions>(sp),
            sp.GetRequiredService<ILogger<IngestPipeline>>(),
            quality: Value<QualityOptions>(sp).Enabled ? sp.GetRequiredService<QualityTracker>() : null));
    }

    private static T Value<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
