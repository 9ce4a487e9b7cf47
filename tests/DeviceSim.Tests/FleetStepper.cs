using DeviceSim.Fleet;
using DeviceSim.Publishing;
using DeviceSim.Simulation;
using DeviceSim.Vehicles;

namespace DeviceSim.Tests;

/// <summary>Steps vehicles directly (no publishing) and reads their telemetry by short key.</summary>
internal static class FleetStepper
{
    public static readonly long Start = SimulatedRun.End.ToUnixTimeMilliseconds() - 86_400_000;

    private static readonly Dictionary<string, string> ShortKeys = new()
    {
        ["Vehicle.Speed"] = "speed_kmh",
        ["Vehicle.CurrentLocation.Latitude"] = "lat",
        ["Vehicle.CurrentLocation.Longitude"] = "lon",
        ["Vehicle.CurrentLocation.Heading"] = "heading_deg",
        ["Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"] = "soc_pct",
    };

    public static List<Vehicle> Fleet(string kind, int count, ulong seed = 11)
    {
        var plan = new FleetPlan();
        plan.Counts[kind] = count;
        return plan.Expand().Select(s => Vehicle.Create(s, seed)).ToList();
    }

    /// <summary>Runs a day in one-second steps; <paramref name="observe"/> is called after each step.</summary>
    public static void RunDay(IReadOnlyList<Vehicle> vehicles, Action<long, Vehicle>? observe = null, double hours = 24)
    {
        long end = Start + (long)(hours * 3_600_000);
        for (long t = Start; t < end; t += 1000)
        {
            var clock = new SimClock(t);
            foreach (var v in vehicles)
            {
                v.Step(clock, 1);
                observe?.Invoke(t, v);
                v.PendingEvents.Clear();
            }
        }
    }

    public static Dictionary<string, FieldValue> Telemetry(Vehicle vehicle)
    {
        var writer = new TelemetryWriter(vehicle.UsesVssPaths);
        vehicle.WriteTelemetry(writer);
        var fields = new Dictionary<string, FieldValue>();
        foreach (var f in writer.Take())
        {
            if (f.Key == "Vehicle.TraveledDistance") fields["odo_km"] = f with { Key = "odo_km", Number = f.Number / 1000 };
            else fields[ShortKeys.GetValueOrDefault(f.Key, f.Key)] = f;
        }
        return fields;
    }
}
