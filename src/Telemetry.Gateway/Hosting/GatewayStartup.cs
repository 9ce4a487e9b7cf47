using Telemetry.Pipeline.Influx;

namespace Telemetry.Gateway.Hosting;

/// <summary>How start-up ended when it gave up: set by <see cref="GatewayService"/>, read once the host has stopped to choose the exit code.</summary>
internal sealed class GatewayStartup
{
    /// <summary>Why start-up gave up on InfluxDB (the process then exits non-zero); null otherwise.</summary>
    public InfluxStartupException? InfluxFailure { get; private set; }

    internal void InfluxFailed(InfluxStartupException failure) => InfluxFailure = failure;
}
