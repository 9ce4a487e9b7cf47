namespace Telemetry.Contract.Sparkplug;

/// <summary>The Sparkplug B host application's settings (configuration section <c>Sparkplug</c>).</summary>
public sealed class SparkplugOptions
{
    public const string Section = "Sparkplug";

    /// <summary>The gateway acts as a Sparkplug host: subscribes to <see cref="TopicFilter"/>, publishes its STATE, asks edge nodes to rebirth.</summary>
    public bool Enabled { get; init; } = true;
    /// <summary>What the gateway subscribes to beside the fleet filter: every group (<c>spBv1.0/#</c>) or one (<c>spBv1.0/{group}/#</c>). Never shared: one host must see all of an edge node's messages, in order.</summary>
    public string TopicFilter { get; init; } = "spBv1.0/#";
    /// <summary>
    /// Where the gateway keeps the BIRTH and DEATH certificates it has seen (one append-only file, compacted at start-up), so that
    /// after a restart the DATA the broker redelivers is read with the aliases and kinds the host already knew.
    /// </summary>
    public string SessionFile { get; init; } = "var/sparkplug/sessions.log";
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
