namespace Telemetry.Pipeline.Spool;

/// <summary>Section <c>Spool</c>: the disk buffer used while InfluxDB is unavailable.</summary>
public sealed class SpoolOptions
{
    public const string Section = "Spool";

    public bool Enabled { get; set; } = true;
    /// <summary>Directory of the spool segments and the replay cursor.</summary>
    public string Directory { get; set; } = "var/spool";
    /// <summary>The spool holds at most this many bytes; when full the gateway stops acknowledging and reading.</summary>
    public long MaxBytes { get; set; } = 1L << 30;
    /// <summary>A segment file is closed and a new one started at this size.</summary>
    public long SegmentBytes { get; set; } = 64L << 20;
    /// <summary>How long a batch is retried against InfluxDB before it goes to the spool.</summary>
    public int RetryBudgetMs { get; set; } = 5000;
}
