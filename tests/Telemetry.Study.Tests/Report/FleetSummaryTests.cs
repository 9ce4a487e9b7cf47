using Telemetry.Study.Derived;
using Telemetry.Study.Report;

namespace Telemetry.Study.Tests.Report;

public class FleetSummaryTests
{
    static VehicleDay Day(string id, string kind, int day, double km, double? kwh, double? h2, long expected, long received) =>
        new(new VehicleKey("bkk", kind, id), 0, new DateOnly(2026, 11, 20 + day), km, km > 0 ? 1 : 0, 0, kwh, null, h2, null,
            1, 2, h2 is null ? 0 : 1, expected, expected, received, 100.0 * received / expected);

    [Fact]
    public void Ratios_are_taken_over_days_with_both_numbers_and_completeness_over_all_seq()
    {
        var result = new StudyResult { From = new DateOnly(2026, 11, 20), To = new DateOnly(2026, 11, 23), TimeZone = "Asia/Bangkok" };
        result.VehicleDays.Add(Day("EM-1", "emoto", 0, 10, 0.5, null, 1000, 1000));
        result.VehicleDays.Add(Day("EM-1", "emoto", 1, 30, null, null, 1000, 900)); // no battery data: not in kWh/km
        result.VehicleDays.Add(Day("EM-2", "emoto", 0, 0, 0.1, null, 2000, 1000));  // standing: not in kWh/km
        result.VehicleDays.Add(Day("HB-1", "h2bus", 0, 50, null, 4.5, 100, 100));

        var rows = FleetSummary.PerKind(result, new Palette(["h2bus", "emoto"]));

        var emoto = rows[0];
        Assert.Equal("emoto", emoto.Kind);
        Assert.Equal((2, 3, 2, 40.0), (emoto.Vehicles, emoto.VehicleDays, emoto.Trips, emoto.DistanceKm));
        Assert.Equal(0.6, emoto.EnergyKwh!.Value, 12);
        Assert.Equal(0.05, emoto.KwhPerKm!.Value, 12);
        Assert.Null(emoto.H2Kg);
        Assert.Null(emoto.KgPer100Km);
        Assert.Equal(100.0 * 2900 / 4000, emoto.CompletenessPct!.Value, 12);
        Assert.Equal((3, 6, 0), (emoto.Charges, emoto.Swaps, emoto.Refuels));

        var bus = rows[1];
        Assert.Equal("h2bus", bus.Kind);
        Assert.Equal(9.0, bus.KgPer100Km!.Value, 12);
        Assert.Null(bus.KwhPerKm);

        var fleet = FleetSummary.Fleet(result);
        Assert.Equal((3, 4, 90.0, 4), (fleet.Vehicles, fleet.VehicleDays, fleet.DistanceKm, fleet.Charges));
    }
}
