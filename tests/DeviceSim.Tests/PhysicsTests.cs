using DeviceSim.Fleet;
using DeviceSim.Physics;
using DeviceSim.Vehicles;

namespace DeviceSim.Tests;

public class PhysicsTests
{
    [Theory]
    [InlineData("emoto", 12, 95, 15_000)]
    [InlineData("h2bus", 3, 75, 10_000)]
    [InlineData("h2truck", 3, 110, 65_000)]
    [InlineData("h2forklift", 4, 20, 2_000)]
    public void Telemetry_stays_in_physical_ranges_and_near_the_site(string kind, int count, double maxSpeedKmh, double maxDistanceM)
    {
        var vehicles = FleetStepper.Fleet(kind, count);
        var failures = new List<string>();
        void Check(bool ok, string what)
        {
            if (!ok && failures.Count < 10) failures.Add(what);
        }

        FleetStepper.RunDay(vehicles, (t, v) =>
        {
            if (t % 10_000 != 0) return;
            var f = FleetStepper.Telemetry(v);
            string at = $"{v.Spec.Id} at {t}";
            double soc = f["soc_pct"].Number, speed = f["speed_kmh"].Number, heading = f["heading_deg"].Number;
            Check(soc is >= 0 and <= 100, $"{at}: soc {soc}");
            Check(speed >= 0 && speed <= maxSpeedKmh, $"{at}: speed {speed}");
            Check(heading is >= 0 and < 360, $"{at}: heading {heading}");
            var position = new GeoPoint(f["lat"].Number, f["lon"].Number);
            double fromSite = position.DistanceTo(v.Spec.Site.Centre);
            Check(fromSite <= maxDistanceM, $"{at}: {fromSite:0} m from {v.Spec.Site.Name}");
            Check(f["batt_v"].Number is > 0 and <= 1500, $"{at}: batt_v {f["batt_v"].Number}");
            Check(f["batt_temp_c"].Number is > 15 and < 60, $"{at}: batt_temp_c {f["batt_temp_c"].Number}");
            Check(Math.Abs(f["accel_long_ms2"].Number) < 5 && Math.Abs(f["accel_lat_ms2"].Number) < 10, $"{at}: acceleration");
            if (kind == "emoto") Check(Math.Abs(f["lean_deg"].Number) <= 50, $"{at}: lean {f["lean_deg"].Number}");
            else
            {
                double p = f["h2_pressure_mpa"].Number;
                double nominal = kind == "h2bus" ? 70 : 35;
                Check(p >= 0 && p <= nominal * 1.12 && p <= 87.5, $"{at}: h2 pressure {p}");
                Check(f["h2_mass_kg"].Number is >= 0 and <= 100, $"{at}: h2 mass");
                Check(f["fc_power_kw"].Number is >= 0 and <= 500, $"{at}: fc power");
                Check(f["fc_state"].Text is "off" or "start" or "run" or "stop", $"{at}: fc_state");
            }
            if (kind == "h2forklift") Check(f["lift_height_m"].Number is >= 0 and <= 15 && f["load_kg"].Number is >= 0 and <= 10_000, $"{at}: lift");
            if (kind == "h2bus") Check(f["passengers"].Number is >= 0 and <= 250, $"{at}: passengers");
            if (kind == "h2truck") Check(f["payload_kg"].Number is >= 0 and <= 40_000, $"{at}: payload");
        });

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(vehicles.Sum(v => v.Tally.DistanceKm) > count * (kind == "h2forklift" ? 2 : 20), "the fleet hardly moved");
    }

    [Fact]
    public void Heading_follows_the_direction_of_motion()
    {
        var bikes = FleetStepper.Fleet(VehicleKind.EMoto, 6);
        var last = new Dictionary<string, GeoPoint>();
        int checkedSteps = 0, off = 0;
        FleetStepper.RunDay(bikes, (t, v) =>
        {
            var f = FleetStepper.Telemetry(v);
            var here = new GeoPoint(f["lat"].Number, f["lon"].Number);
            if (last.TryGetValue(v.Spec.Id, out var before) && f["speed_kmh"].Number > 15 && before.DistanceTo(here) > 3)
            {
                checkedSteps++;
                if (Math.Abs(GeoPoint.TurnBetween(before.HeadingTo(here), f["heading_deg"].Number)) > 15) off++;
            }
            last[v.Spec.Id] = here;
        }, hours: 12);

        Assert.True(checkedSteps > 1000);
        Assert.True(off < checkedSteps * 0.02, $"{off} of {checkedSteps} steps with heading off the motion");
    }

    [Theory]
    [InlineData("h2bus", 2)]
    [InlineData("h2truck", 2)]
    [InlineData("h2forklift", 4)]
    public void Hydrogen_mass_only_rises_while_refuelling(string kind, int count)
    {
        var vehicles = FleetStepper.Fleet(kind, count).Cast<FuelCellVehicle>().ToList();
        var mass = vehicles.ToDictionary(v => v.Spec.Id, v => v.TankMassKg);
        var refuelling = vehicles.ToDictionary(v => v.Spec.Id, v => false);
        var bad = new List<string>();
        FleetStepper.RunDay(vehicles, (t, v) =>
        {
            var fc = (FuelCellVehicle)v;
            bool wasRefuelling = refuelling[v.Spec.Id];
            if (fc.TankMassKg > mass[v.Spec.Id] + 1e-12 && !wasRefuelling && !fc.IsRefuelling && bad.Count < 5)
                bad.Add($"{v.Spec.Id} at {t}: {mass[v.Spec.Id]} -> {fc.TankMassKg}");
            if (fc.TankMassKg < mass[v.Spec.Id] - 1e-12 && fc.IsRefuelling && wasRefuelling && bad.Count < 5)
                bad.Add($"{v.Spec.Id} at {t}: burning while refuelling");
            mass[v.Spec.Id] = fc.TankMassKg;
            refuelling[v.Spec.Id] = fc.IsRefuelling;
        });

        Assert.True(bad.Count == 0, string.Join("\n", bad));
        Assert.True(vehicles.Sum(v => v.Tally.H2UsedKg) > 0);
        Assert.True(vehicles.Sum(v => v.Tally.Refuels) > 0, "no vehicle refuelled in a day");
    }
}
