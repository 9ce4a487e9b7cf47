using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Sparkplug;
using Telemetry.Gateway.Configuration;
using Telemetry.Gateway.Sparkplug;
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
        // Sparkplug topics carry no kind: the tracker asks the host which vehicle (its BIRTH said) a topic is.
        services.AddSingleton(sp => new QualityTracker(Value<QualityOptions>(sp)) { ForeignTopics = sp.GetRequiredService<PayloadDecoder>().Sparkplug.TryDescribeVehicle });
        services.AddSingleton(sp => SignalCatalogue.Load(Value<GatewayOptions>(sp).ResolveCataloguePath()));
        services.AddSingleton(sp => SparkplugSessionFile.Open(Value<SparkplugOptions>(sp).SessionFile, sp.GetRequiredService<ILogger<SparkplugSessionFile>>()));
        services.AddSingleton(NewDecoder);
        services.AddSingleton(sp => new DeadLetterFile(Value<DeadLetterOptions>(sp)));
        if (spoolEnabled) services.AddSingleton(sp => DiskSpool.Open(Value<SpoolOptions>(sp), sp.GetRequiredService<ILogger<DiskSpool>>()));
        services.AddSingleton(sp => new IngestPipeline(sp.GetRequiredService<PayloadDecoder>(), sp.GetService<DiskSpool>(), Value<SpoolOptions>(sp),
            sp.GetRequiredService<DeadLetterFile>(), sp.GetRequiredService<PipelineCounters>(), Value<BatchingOptions>(sp), Value<InfluxOptions>(sp),
            sp.GetRequiredService<ILogger<IngestPipeline>>(),
            quality: Value<QualityOptions>(sp).Enabled ? sp.GetRequiredService<QualityTracker>() : null));
    }

    /// <summary>With the Sparkplug host on, the sessions of the last run are restored first, and every later BIRTH and DEATH is kept.</summary>
    private static PayloadDecoder NewDecoder(IServiceProvider services)
    {
        var sparkplug = Value<SparkplugOptions>(services);
        var decoder = new PayloadDecoder(services.GetRequiredService<SignalCatalogue>(), Value<GatewayOptions>(services).ToDecoderOptions(), sparkplug);
        if (!sparkplug.Enabled) return decoder;
        var sessions = services.GetRequiredService<SparkplugSessionFile>();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (topic, payload) in sessions.Live()) decoder.Sparkplug.Restore(topic, payload, now);
        decoder.Sparkplug.Recorder = sessions.Append;
        return decoder;
    }

    private static T Value<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
