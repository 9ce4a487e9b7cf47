namespace Telemetry.Study.Derived;

/// <summary>One hydrogen refuel (measurement <c>refuels</c>, time = <see cref="StartMs"/>); <see cref="H2Kg"/> is the mass added.</summary>
public sealed record Refuel(
    VehicleKey Vehicle,
    long StartMs,
    long EndMs,
    double DurationS,
    double? H2Kg,
    double? PressureStartMpa,
    double? PressureEndMpa);
