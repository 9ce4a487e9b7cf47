using DeviceSim.Fleet;
using DeviceSim.Physics;
using DeviceSim.Simulation;

namespace DeviceSim.Vehicles;

/// <summary>
/// A 2.5-tonne hydrogen forklift in a warehouse: two shifts (06–14, 14–22) with breaks, lift cycles
/// (drive to a rack, raise the forks, pick or place a pallet, lower, drive on), a 35 MPa tank of 1 kg,
/// and a fill of about 0.6 kg in about 3 minutes at the indoor dispenser when the tank runs low.
/// The fuel cell starts at the beginning of a shift and stops for breaks, refuelling and the night.
/// </summary>
public sealed class FuelCellForklift : FuelCellVehicle
{
    private enum Activity { Off, Starting, Working, Lifting, ToDispenser, Refuelling, Stopping }

    private static readonly DrivingStyle Style = new(CruiseKmh: 11, MaxAccelMs2: 1.0, MaxBrakeMs2: 1.6, MaxYawRateDps: 45,
        MeanStopSpacingM: 90, MeanStopSeconds: 4, SegmentLengthM: 25, LateralJitterM: 1.5);
    private static readonly Traction Wheels = new(MassKg: 4300, RollingResistance: 0.02, DragAreaM2: 0, DrivetrainEfficiency: 0.8, RegenFraction: 0.3);
    private const double LiftSpeedMs = 0.4;

    private readonly RoadDriver _driver;
    private readonly GeoPoint _warehouse, _dispenser;
    private readonly string _dispenserId;
    private Activity _activity = Activity.Off;
    private double _liftHeightM, _liftTargetM, _loadKg, _mastTiltDeg, _hourMeterH, _refuelThresholdKg;
    private bool _carrying, _lowering;
    private long _planDay = -1;
    private readonly List<(double From, double To)> _workWindows = [];

    public FuelCellForklift(VehicleSpec spec, ulong seed)
        : base(spec, seed, new HydrogenTank(1.0, 35, 0, 29), new FuelCellStack(maxPowerKw: 10, cells: 96), 2.0, 80, 65)
    {
        _warehouse = spec.Site.Centre.Around(Rng, 200, 1500);
        // Forklifts of one site share a dispenser at their warehouse dock.
        _dispenser = _warehouse.Move(45, 90);
        _dispenserId = $"H2D-{spec.Site.Code}-{Rng.Next(8) + 1:D2}";
        _driver = new RoadDriver(Style, _warehouse.Around(Rng, 5, 60), Rng.Range(0, 360));
        Tank.Fill(Rng.Range(0.45, 0.95));
        Tank.Relax(29, 1e6);
        _hourMeterH = Rng.Range(1500, 12000);
        _refuelThresholdKg = Rng.Range(0.36, 0.40);
    }

    public override bool IsActive => _activity != Activity.Off;
    public override string Firmware => UsesVssPaths ? "5.0.2" : "4.7.3";
    public override GeoPoint Position => _driver.Position;

    public override void Step(SimClock clock, double dt)
    {
        if (clock.LocalDay != _planDay) PlanDay(clock.LocalDay);
        double hour = clock.LocalHour;
        bool shiftOn = _workWindows.Any(w => hour >= w.From && hour < w.To);
        double demandKw = 0.4; // controller, lights, display
        MotorKw = 0;

        switch (_activity)
        {
            case Activity.Off:
                if (shiftOn && !_lowering)
                {
                    Stack.RequestStart();
                    _activity = Activity.Starting;
                }
                break;
            case Activity.Starting:
                if (Stack.State == FuelCellState.Run) _activity = Activity.Working;
                break;
            case Activity.Working:
                MotorKw = Drive(dt);
                if (!_driver.Arrived) break;
                if (!shiftOn)
                {
                    StopStack();
                    break;
                }
                if (Tank.MassKg < _refuelThresholdKg && !_carrying)
                {
                    _activity = Activity.ToDispenser;
                    _driver.DriveTo(_dispenser, Rng);
                    break;
                }
                BeginLift();
                break;
            case Activity.Lifting:
                demandKw += StepLift(dt);
                break;
            case Activity.ToDispenser:
                MotorKw = Drive(dt);
                if (!_driver.Arrived) break;
                Stack.RequestStop();
                StartRefuel(_dispenserId, Rng.Range(0.18, 0.22));
                _activity = Activity.Refuelling;
                break;
            case Activity.Refuelling:
                if (!IsRefuelling)
                {
                    Stack.RequestStart();
                    _activity = Activity.Starting;
                }
                break;
            case Activity.Stopping:
                if (Stack.State == FuelCellState.Off) _activity = Activity.Off;
                break;
        }

        if (Stack.IsOn) _hourMeterH += dt / 3600;
        RunPowertrain(clock, demandKw + Math.Max(MotorKw, 0), dt);
    }

    private void PlanDay(long day)
    {
        _planDay = day;
        _workWindows.Clear();
        // Two shifts with a tea break, a meal break and the shift handover, when the truck stands with the stack off.
        double j() => Rng.Range(-0.1, 0.1);
        _workWindows.Add((6 + j(), 9.75 + j()));
        _workWindows.Add((10.1 + j(), 11.5 + j()));
        _workWindows.Add((12 + j(), 13.9 + j()));
        _workWindows.Add((14.2 + j(), 18 + j()));
        _workWindows.Add((18.6 + j(), 21.9 + j()));
    }

    private void StopStack()
    {
        Stack.RequestStop();
        _activity = Activity.Stopping;
    }

    private double Drive(double dt)
    {
        double metres = _driver.Step(dt, Rng);
        OdoKm += metres / 1000;
        Tally.DistanceKm += metres / 1000;
        _mastTiltDeg = _carrying ? -4 : 0;
        return Wheels.MotorPowerKw(_driver.SpeedMs, _driver.AccelLongMs2, _loadKg);
    }

    private void BeginLift()
    {
        _activity = Activity.Lifting;
        _lowering = false;
        _liftTargetM = Rng.Range(0.3, 7.5);
    }

    /// <summary>Raises the forks to the rack level, picks or places the pallet, lowers; returns the hydraulic power.</summary>
    private double StepLift(double dt)
    {
        if (!_lowering)
        {
            _mastTiltDeg = 2;
            _liftHeightM = Math.Min(_liftTargetM, _liftHeightM + LiftSpeedMs * dt);
            double kw = (350 + _loadKg) * 9.81 * LiftSpeedMs / 0.65 / 1000;
            if (_liftHeightM >= _liftTargetM)
            {
                // Picking a pallet from the rack, or putting it down there.
                _carrying = !_carrying;
                _loadKg = _carrying ? Math.Round(Rng.Range(250, 1800), 0) : 0;
                _lowering = true;
            }
            return kw;
        }
        _mastTiltDeg = _carrying ? -4 : 0;
        _liftHeightM = Math.Max(0.1, _liftHeightM - LiftSpeedMs * 1.5 * dt);
        if (_liftHeightM <= 0.1)
        {
            _lowering = false;
            _activity = Activity.Working;
            _driver.DriveTo(_warehouse.Around(Rng, 10, 70), Rng);
        }
        return 0.3;
    }

    public override void WriteTelemetry(TelemetryWriter f)
    {
        WriteMotion(f, _driver, Spec.Site.AltitudeM, OdoKm);
        // Switched off at the dispenser, as hydrogen stations require.
        f.Bool("ignition", _activity is not (Activity.Off or Activity.Refuelling));
        WritePowertrain(f);
        f.Float("motor_rpm", _driver.SpeedMs / 1.4 * 60 * 20, 0);
        f.Float("lift_height_m", _liftHeightM, 2);
        f.Float("load_kg", _loadKg, 0);
        f.Float("mast_tilt_deg", _mastTiltDeg, 1);
        f.Float("hour_meter_h", _hourMeterH, 2);
    }
}
