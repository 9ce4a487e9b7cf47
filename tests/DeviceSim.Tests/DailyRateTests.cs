using DeviceSim.Fleet;

namespace DeviceSim.Tests;

/// <summary>The statistics a researcher would check first, over a simulated day.</summary>
public class DailyRateTests
{
    [Fact]
    public void About_0_7_battery_swaps_per_bike_day()
    {
        var bikes = FleetStepper.Fleet(VehicleKind.EMoto, 200, seed: 3);
        int swapEvents = 0;
        FleetStepper.RunDay(bikes, (_, v) => swapEvents += v.PendingEvents.Count(e => e.Type == "battery_swap"));

        double perBikeDay = bikes.Sum(b => b.Tally.Swaps) / 200.0;
        Assert.InRange(perBikeDay, 0.55, 0.85);
        Assert.Equal(bikes.Sum(b => b.Tally.Swaps), swapEvents);
    }

    [Fact]
    public void Forklift_refuels_are_about_0_6_kg_in_about_3_minutes()
    {
        var forklifts = FleetStepper.Fleet(VehicleKind.H2Forklift, 10, seed: 5);
        FleetStepper.RunDay(forklifts);

        var kgs = forklifts.SelectMany(f => f.Tally.RefuelKgs).ToList();
        var minutes = forklifts.SelectMany(f => f.Tally.RefuelSeconds).Select(s => s / 60).ToList();
        Assert.True(kgs.Count >= 10, $"only {kgs.Count} refuels");
        Assert.InRange(kgs.Average(), 0.5, 0.7);
        Assert.All(kgs, kg => Assert.InRange(kg, 0.4, 0.8));
        Assert.InRange(minutes.Average(), 2.5, 3.5);
    }

    [Fact]
    public void Buses_burn_8_to_13_kg_of_hydrogen_per_100_km()
    {
        var buses = FleetStepper.Fleet(VehicleKind.H2Bus, 4, seed: 9);
        FleetStepper.RunDay(buses);

        double km = buses.Sum(b => b.Tally.DistanceKm);
        double kgPer100 = buses.Sum(b => b.Tally.H2UsedKg) / km * 100;
        Assert.True(km > 4 * 120, $"buses drove only {km:0} km");
        Assert.InRange(kgPer100, 8, 13);
    }
}
