namespace Telemetry.Pipeline.DeadLetters;

/// <summary>Section <c>DeadLetter</c>: where rejected input is kept.</summary>
public sealed class DeadLetterOptions
{
    public const string Section = "DeadLetter";

    /// <summary>Directory of the dead-letter files (dead-letter.jsonl, dead-letter.1.jsonl, …).</summary>
    public string Directory { get; set; } = "var/dead-letter";
    /// <summary>A file is rotated when it reaches this size.</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;
    /// <summary>Rotated files kept besides the current one; older ones are deleted.</summary>
    public int KeepFiles { get; set; } = 9;
    /// <summary>Payload bytes kept per record.</summary>
    public int MaxPayloadBytes { get; set; } = 4096;
}
