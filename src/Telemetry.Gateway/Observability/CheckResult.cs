namespace Telemetry.Gateway.Observability;

/// <summary>One <c>/readyz</c> check: whether it passes, and what it says.</summary>
internal sealed record CheckResult(bool Ok, string Detail);
