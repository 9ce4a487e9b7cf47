namespace Telemetry.Contract.Sparkplug;

/// <summary>The Sparkplug B host application's settings (configuration section <c>Sparkplug</c>).</summary>
public sealed class SparkplugOptions
{
    /// <summary>The host application's id: its STATE topic is <c>spBv1.0/STATE/{HostId}</c>, which edge nodes are configured to watch.</summary>
    public string HostId { get; init; } = "telemetry-gateway";
    /// <summary>How long a gap in an edge node's <c>seq</c> may stay open (messages arriving out of order) before the host asks for a rebirth.</summary>
    public int ReorderTimeoutMs { get; init; } = 2000;
    /// <summary>Alias tables (one per edge node and one per device that sent a BIRTH) held at once; a BIRTH beyond is refused.</summary>
    public int MaxAliasTables { get; init; } = 10_000;
    /// <summary>The least time between two rebirth requests to the same edge node, so that a node slow to answer is not flooded.</summary>
    public int RebirthIntervalMs { get; init; } = 5000;
    public SparkplugLimits Limits { get; init; } = new();
}
