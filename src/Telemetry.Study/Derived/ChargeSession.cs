namespace Telemetry.Study.Derived;

/// <summary>One charge session (measurement <c>charge_sessions</c>, time = <see cref="StartMs"/>).</summary>
public sealed record ChargeSession(
    VehicleKey Vehicle,
    long StartMs,
    long EndMs,
    double DurationS,
    double? EnergyKwh,
    double? SocStartPct,
    double? SocEndPct);
