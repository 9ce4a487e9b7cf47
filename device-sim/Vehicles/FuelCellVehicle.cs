using DeviceSim.Fleet;
using DeviceSim.Physics;
using DeviceSim.Publishing;
using DeviceSim.Simulation;

namespace DeviceSim.Vehicles;

/// <summary>
/// What hydrogen vehicles share: a tank, a fuel-cell stack that follows the power demand, a lithium-ion
/// buffer battery the stack keeps near a target charge, refuelling at a dispenser, and the common
/// telemetry fields. Subclasses decide what the vehicle is doing (routes, runs, lift cycles).
/// </summary>
public abstract class FuelCellVehicle : Vehicle
{
    private readonly double _bufferKwh, _bufferNominalV, _bufferTargetPct;
    private double _refuelTargetKg, _refuelRateKgPerS, _refuelledKg, _refuelElapsedS;
    private string _dispenserId = "";

    protected FuelCellVehicle(VehicleSpec spec, ulong seed, HydrogenTank tank, FuelCellStack stack,
        double bufferKwh, double bufferNominalV, double bufferTargetPct) : base(spec, seed)
    {
        Tank = tank;
        Stack = stack;
        _bufferKwh = bufferKwh;
        _bufferNominalV = bufferNominalV;
        _bufferTargetPct = bufferTargetPct;
        SocPct = bufferTargetPct + Rng.Range(-5, 5);
        BattTempC = 29;
        MotorTempC = 29;
    }

    protected HydrogenTank Tank { get; }
    protected FuelCellStack Stack { get; }
    protected double SocPct { get; private set; }
    protected double BattA { get; private set; }
    protected double BattTempC { get; private set; }
    protected double MotorTempC { get; private set; }
    protected double MotorKw { get; set; }
    protected double OdoKm { get; set; }
    public bool IsRefuelling { get; private set; }
    public double TankMassKg => Tank.MassKg;
    public double TankPressureMpa => Tank.PressureMpa;
    public double TankCapacityKg => Tank.CapacityKg;
    public override double BatteryPowerKw => ReportedBattV * -BattA / 1000;
    /// <summary>The buffer battery's voltage as reported: open-circuit voltage plus the drop across its resistance.</summary>
    private double ReportedBattV => BufferVoltage + 0.02 * BattA;

    /// <summary>Runs the powertrain for one step with the given electrical demand (traction + auxiliaries).</summary>
    protected void RunPowertrain(SimClock clock, double demandKw, double dt)
    {
        double ambient = Ambient.TemperatureC(clock.LocalHour);
        // The stack covers the average demand and recharges the buffer towards its target.
        double request = demandKw + (_bufferTargetPct - SocPct) * 0.02 * Stack.MaxPowerKw;
        double kg = Stack.Step(request, ambient, dt);
        Tank.Draw(kg);
        Tally.H2UsedKg += kg;
        Tank.Relax(ambient, dt);

        double batteryKw = demandKw - Stack.PowerKw;
        if (!Stack.IsOn && Stack.State != FuelCellState.Stop) batteryKw = Math.Max(0, demandKw) * 0.2; // standby loads only
        SocPct = Math.Clamp(SocPct - batteryKw * dt / 3600 / _bufferKwh * 100, 5, 100);
        BattA = -batteryKw * 1000 / BufferVoltage;
        BattTempC = Ambient.Relax(BattTempC, ambient + 2 + 8 * Math.Abs(batteryKw) / Stack.MaxPowerKw, dt, 1200);
        MotorTempC = Ambient.Relax(MotorTempC, ambient + 35 * Math.Abs(MotorKw) / Stack.MaxPowerKw, dt, 400);
        if (IsRefuelling) StepRefuel(dt);
    }

    protected double BufferVoltage => _bufferNominalV * (0.92 + 0.16 * SocPct / 100);

    /// <summary>Plugs the nozzle in: fills to about 98 % at <paramref name="kgPerMinute"/>.</summary>
    protected void StartRefuel(string dispenserId, double kgPerMinute)
    {
        IsRefuelling = true;
        _dispenserId = dispenserId;
        _refuelTargetKg = Tank.CapacityKg * Rng.Range(0.97, 0.995);
        _refuelRateKgPerS = kgPerMinute / 60;
        _refuelledKg = 0;
        _refuelElapsedS = 0;
        Emit("refuel_start", FieldValue.String("station_id", dispenserId), FieldValue.Float("h2_pressure_mpa", Tank.PressureMpa, 2),
            FieldValue.Float("soc_pct", SocPct, 1), FieldValue.Float("odo_km", OdoKm, 1));
    }

    private void StepRefuel(double dt)
    {
        _refuelElapsedS += dt;
        double kg = Math.Min(_refuelRateKgPerS * dt, _refuelTargetKg - Tank.MassKg);
        if (kg > 0)
        {
            Tank.Fill(kg);
            _refuelledKg += kg;
        }
        if (Tank.MassKg < _refuelTargetKg - 1e-9) return;
        IsRefuelling = false;
        Tally.Refuels++;
        Tally.RefuelledKg += _refuelledKg;
        Tally.RefuelKgs.Add(_refuelledKg);
        Tally.RefuelSeconds.Add(_refuelElapsedS);
        Emit("refuel_end", FieldValue.String("station_id", _dispenserId), FieldValue.Float("h2_kg", _refuelledKg, 3),
            FieldValue.Float("h2_pressure_mpa", Tank.PressureMpa, 2), FieldValue.Float("odo_km", OdoKm, 1));
    }

    protected void WritePowertrain(TelemetryWriter f)
    {
        f.Float("soc_pct", SocPct, 1);
        f.Float("batt_v", ReportedBattV, 1);
        f.Float("batt_a", BattA, 1);
        f.Float("batt_temp_c", BattTempC, 1);
        // No charge port: the stack recharges the buffer battery (batt_a > 0 while standing), which is not a charge session.
        f.Bool("charging", false);
        f.Float("motor_power_kw", MotorKw, 2);
        f.Float("motor_temp_c", MotorTempC, 1);
        f.Float("h2_pressure_mpa", Tank.PressureMpa, 2);
        f.Float("h2_tank_temp_c", Tank.TemperatureC, 1);
        f.Float("h2_mass_kg", Tank.MassKg, 3);
        f.Float("h2_flow_gps", Stack.H2FlowGps, 3);
        f.Float("fc_stack_v", Stack.VoltageV, 1);
        f.Float("fc_stack_a", Stack.CurrentA, 1);
        f.Float("fc_stack_temp_c", Stack.TemperatureC, 1);
        f.Float("fc_power_kw", Stack.PowerKw, 2);
        f.String("fc_state", Stack.StateName);
    }

    protected static void WriteMotion(TelemetryWriter f, RoadDriver driver, double altitudeM, double odoKm)
    {
        f.Float("speed_kmh", driver.SpeedKmh, 1);
        f.Float("lat", driver.Position.Lat, 6);
        f.Float("lon", driver.Position.Lon, 6);
        f.Float("heading_deg", driver.HeadingDeg, 1);
        f.Float("alt_m", altitudeM, 0);
        f.Float("odo_km", odoKm, 2);
        f.Float("accel_long_ms2", driver.AccelLongMs2, 2);
        f.Float("accel_lat_ms2", driver.AccelLatMs2, 2);
    }
}
