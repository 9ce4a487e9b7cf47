namespace Telemetry.Pipeline.Batching;

/// <summary>Section <c>Batching</c>: when a batch is sent, and how many may be unacknowledged at once.</summary>
public sealed class BatchingOptions
{
    public const string Section = "Batching";

    /// <summary>A batch is sent when it holds this many lines…</summary>
    public int MaxLines { get; set; } = 5000;
    /// <summary>…or this many bytes of line protocol…</summary>
    public int MaxBytes { get; set; } = 4 * 1024 * 1024;
    /// <summary>…or when its first message is this old.</summary>
    public int FlushIntervalMs { get; set; } = 1000;
    /// <summary>Batches sent but not yet acknowledged; when reached, the gateway stops reading from MQTT.</summary>
    public int MaxPendingBatches { get; set; } = 8;
}
