namespace Telemetry.Study.Derived;

/// <summary>
/// One battery swap (measurement <c>swaps</c>, time = <see cref="AtMs"/>). <see cref="SocOutPct"/> is the
/// pack taken out (last sample before), <see cref="SocInPct"/> the pack put in (first sample after).
/// </summary>
public sealed record Swap(
    VehicleKey Vehicle,
    long AtMs,
    string? BatteryIn,
    string? BatteryOut,
    double? SocInPct,
    double? SocOutPct,
    string? StationId);
