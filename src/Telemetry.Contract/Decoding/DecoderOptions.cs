namespace Telemetry.Contract.Decoding;

public sealed class DecoderOptions
{
    /// <summary>Larger payloads are rejected whole (<c>too_large</c>).</summary>
    public int MaxPayloadBytes { get; init; } = 256 * 1024;
    /// <summary>Objects with an older <c>ts</c> are rejected (<c>ts_out_of_range</c>).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Objects with a <c>ts</c> further ahead of the gateway's clock are rejected (<c>ts_out_of_range</c>).</summary>
    public TimeSpan MaxFuture { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Deeper JSON nesting is <c>bad_json</c>.</summary>
    public int MaxDepth { get; init; } = 64;
}
