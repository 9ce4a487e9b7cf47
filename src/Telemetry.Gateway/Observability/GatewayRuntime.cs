using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Gateway.Observability;

/// <summary>The parts of a running gateway that exist only once start-up has reached InfluxDB; null before and after.</summary>
public sealed class GatewayRuntime
{
    private volatile IngestPipeline? _pipeline;
    private volatile DiskSpool? _spool;

    public IngestPipeline? Pipeline => _pipeline;
    public DiskSpool? Spool => _spool;
    public bool SpoolEnabled { get; private set; }
    /// <summary>Why start-up gave up on InfluxDB (the process then exits non-zero); null otherwise.</summary>
    public InfluxStartupException? StartupFailure { get; private set; }

    public void StartupFailed(InfluxStartupException failure) => StartupFailure = failure;

    public void Started(IngestPipeline pipeline, DiskSpool? spool)
    {
        SpoolEnabled = spool is not null;
        _spool = spool;
        _pipeline = pipeline;
    }

    public void Stopped()
    {
        _pipeline = null;
        _spool = null;
    }
}
