using Telemetry.Study.Derived;

namespace Telemetry.Study.Report;

/// <summary>One row of the fleet summary table: a kind, or the whole fleet (<see cref="Kind"/> = null).</summary>
internal sealed record FleetSummaryRow(
    string? Kind,
    int Vehicles,
    int VehicleDays,
    int Trips,
    double DistanceKm,
    double? EnergyKwh,
    double? KwhPerKm,
    double? H2Kg,
    double? KgPer100Km,
    int Charges,
    int Swaps,
    int Refuels,
    double? CompletenessPct);

/// <summary>
/// The fleet summary per kind, summed over the <c>vehicle_days</c> rows (so it agrees with what was written back).
/// Ratios are taken over the days that have both numbers: kWh/km = Σ kWh ÷ Σ km of the days with energy and
/// distance, kg/100 km likewise; completeness = Σ seq received ÷ Σ seq expected.
/// </summary>
internal static class FleetSummary
{
    public static IReadOnlyList<FleetSummaryRow> PerKind(StudyResult result, Palette palette)
    {
        var rows = palette.Kinds
            .Select(kind => Summarise(kind, result.VehicleDays.Where(d => d.Vehicle.Kind == kind).ToList()))
            .ToList();
        return rows;
    }

    public static FleetSummaryRow Fleet(StudyResult result) => Summarise(null, result.VehicleDays);

    static FleetSummaryRow Summarise(string? kind, IReadOnlyList<VehicleDay> days)
    {
        var withEnergy = days.Where(d => d.EnergyKwh is not null).ToList();
        var energyPerKm = withEnergy.Where(d => d.DistanceKm > 0).ToList();
        var withH2 = days.Where(d => d.H2Kg is not null).ToList();
        var h2PerKm = withH2.Where(d => d.DistanceKm > 0).ToList();
        long expected = days.Sum(d => d.SeqExpected), received = days.Sum(d => d.SeqReceived);

        return new FleetSummaryRow(
            kind,
            Vehicles: days.Select(d => d.Vehicle).Distinct().Count(),
            VehicleDays: days.Count,
            Trips: days.Sum(d => d.Trips),
            DistanceKm: days.Sum(d => d.DistanceKm),
            EnergyKwh: withEnergy.Count > 0 ? withEnergy.Sum(d => d.EnergyKwh!.Value) : null,
            KwhPerKm: Ratio(energyPerKm.Sum(d => d.EnergyKwh!.Value), energyPerKm.Sum(d => d.DistanceKm)),
            H2Kg: withH2.Count > 0 ? withH2.Sum(d => d.H2Kg!.Value) : null,
            KgPer100Km: Ratio(100 * h2PerKm.Sum(d => d.H2Kg!.Value), h2PerKm.Sum(d => d.DistanceKm)),
            Charges: days.Sum(d => d.Charges),
            Swaps: days.Sum(d => d.Swaps),
            Refuels: days.Sum(d => d.Refuels),
            CompletenessPct: expected > 0 ? 100.0 * received / expected : null);
    }

    static double? Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : null;
}
