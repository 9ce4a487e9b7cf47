namespace Telemetry.Study.Derived;

/// <summary>
/// One trip (wire contract section 8, measurement <c>trips</c>, time = <see cref="StartMs"/>).
/// Values that cannot be derived from the data (no battery signals, no hydrogen signals) are null and
/// are not written as fields. <see cref="AvgBattTempC"/> (mean <c>batt_temp_c</c> over the trip's samples, °C)
/// is for the report's energy-per-km plot; the contract's <c>trips</c> fields do not include it.
/// </summary>
public sealed record Trip(
    VehicleKey Vehicle,
    long StartMs,
    long EndMs,
    double DurationS,
    double DistanceKm,
    double AvgSpeedKmh,
    double MaxSpeedKmh,
    double? EnergyKwh,
    double? KwhPerKm,
    double? SocStartPct,
    double? SocEndPct,
    double? H2Kg,
    double? KgPer100Km,
    long Samples,
    double? AvgBattTempC = null);
