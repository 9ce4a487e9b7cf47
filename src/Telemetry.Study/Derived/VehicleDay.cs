namespace Telemetry.Study.Derived;

/// <summary>
/// One vehicle on one local day (measurement <c>vehicle_days</c>, time = local midnight as UTC ms).
/// Completeness = distinct <c>seq</c> received ÷ (max − min + 1) over the day, from what InfluxDB holds.
/// </summary>
public sealed record VehicleDay(
    VehicleKey Vehicle,
    long DayStartMs,
    DateOnly LocalDate,
    double DistanceKm,
    int Trips,
    double DrivingS,
    double? EnergyKwh,
    double? KwhPerKm,
    double? H2Kg,
    double? KgPer100Km,
    int Charges,
    int Swaps,
    int Refuels,
    long Samples,
    long SeqExpected,
    long SeqReceived,
    double? CompletenessPct);
