using DeviceSim.Fleet;
using DeviceSim.Physics;
using DeviceSim.Publishing;
using DeviceSim.Simulation;

namespace DeviceSim.Vehicles;

/// <summary>
/// An event the vehicle raised during a step (its time is the step's time). <see cref="Swap"/> carries the
/// exact facts of a battery swap that the event's fields round or leave out, for the manifest's ground truth.
/// </summary>
public sealed record VehicleEvent(string Type, List<FieldValue> Fields)
{
    public SwapFacts? Swap { get; init; }
}

/// <summary>A battery swap as it happened: the pack taken out and its charge, the pack put in and its charge.</summary>
public sealed record SwapFacts(string BatteryOut, double SocOutPct, string BatteryIn, double SocInPct, string StationId);

/// <summary>What a vehicle did, for the summary and the physics tests.</summary>
public sealed class VehicleTally
{
    public int Swaps;
    public int Refuels;
    public double RefuelledKg;
    public List<double> RefuelKgs { get; } = [];
    public List<double> RefuelSeconds { get; } = [];
    public double DistanceKm;
    public double H2UsedKg;
    public double EnergyKwh;
    public int ChargeSessions;
    public int Trips;
}

/// <summary>
/// A simulated vehicle: its own seeded random stream, a state advanced one step at a time,
/// telemetry on request, and events raised as things happen.
/// </summary>
public abstract class Vehicle
{
    protected Vehicle(VehicleSpec spec, ulong seed)
    {
        Spec = spec;
        Rng = SeededRandom.For(seed, spec.Id);
        UsesVssPaths = Rng.Chance(0.2);
    }

    public VehicleSpec Spec { get; }
    protected SeededRandom Rng { get; }
    public VehicleTally Tally { get; } = new();
    public List<VehicleEvent> PendingEvents { get; } = [];
    /// <summary>Firmware that names some signals by VSS path instead of short key.</summary>
    public bool UsesVssPaths { get; }

    /// <summary>Moving or working: telemetry at the fast rate; otherwise at the idle rate.</summary>
    public abstract bool IsActive { get; }
    public abstract string Firmware { get; }
    public abstract GeoPoint Position { get; }

    /// <summary>
    /// The traction battery's power as the telemetry reports it, <c>batt_v</c> × −<c>batt_a</c> in kW (positive
    /// while discharging), unrounded: the simulator integrates it every step for the manifest's ground truth.
    /// </summary>
    public abstract double BatteryPowerKw { get; }

    public abstract void Step(SimClock clock, double dt);
    public abstract void WriteTelemetry(TelemetryWriter fields);

    protected void Emit(string type, params FieldValue[] fields) => PendingEvents.Add(new VehicleEvent(type, [.. fields]));
    protected void Emit(VehicleEvent e) => PendingEvents.Add(e);

    public static Vehicle Create(VehicleSpec spec, ulong seed) => spec.Kind switch
    {
        VehicleKind.EMoto => new EMotorcycle(spec, seed),
        VehicleKind.H2Bus => new FuelCellBus(spec, seed),
        VehicleKind.H2Truck => new FuelCellTruck(spec, seed),
        _ => new FuelCellForklift(spec, seed),
    };
}
