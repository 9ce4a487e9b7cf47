namespace Telemetry.Gateway.Sources;

/// <summary>Whether a source can receive now, and what <c>/readyz</c> says about it.</summary>
internal sealed record SourceState(bool Ready, string Detail);
