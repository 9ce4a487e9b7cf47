using DeviceSim.Fleet;
using DeviceSim.Physics;
using DeviceSim.Publishing;
using DeviceSim.Simulation;

namespace DeviceSim.Vehicles;

/// <summary>
/// A 19-tonne rigid fuel-cell truck on depot runs: load at the depot, drive to a customer 20–50 km away on
/// highways, unload, return, refuel its 35 MPa tanks (32 kg) at the depot when below about 45 %. Runs
/// from early morning until the evening.
/// </summary>
public sealed class FuelCellTruck : FuelCellVehicle
{
    private enum Activity { Parked, Loading, Outbound, Unloading, Inbound, Refuelling }

    private static readonly DrivingStyle Style = new(CruiseKmh: 78, MaxAccelMs2: 0.6, MaxBrakeMs2: 1.8, MaxYawRateDps: 8,
        MeanStopSpacingM: 4500, MeanStopSeconds: 45, SegmentLengthM: 900, LateralJitterM: 40);
    private static readonly Traction Road = new(MassKg: 10500, RollingResistance: 0.0075, DragAreaM2: 6.5, DrivetrainEfficiency: 0.88, RegenFraction: 0.45);

    private readonly RoadDriver _driver;
    private readonly GeoPoint _depot;
    private readonly List<GeoPoint> _customers = [];
    private readonly string _dispenserId;
    private Activity _activity = Activity.Parked;
    private double _payloadKg, _timerS, _dayStart, _lastDeparture;
    private long _planDay = -1;

    public FuelCellTruck(VehicleSpec spec, ulong seed)
        : base(spec, seed, new HydrogenTank(32, 35, 0, 29), new FuelCellStack(maxPowerKw: 180, cells: 440), 72, 650, 55)
    {
        _depot = spec.Site.Centre.Around(Rng, 200, 1500);
        for (int i = 0; i < 4; i++) _customers.Add(_depot.Around(Rng, 20_000, 50_000));
        _dispenserId = $"H2S-{spec.Site.Code}-01";
        _driver = new RoadDriver(Style, _depot, 0);
        Tank.Fill(Rng.Range(14, 31));
        Tank.Relax(29, 1e6);
        OdoKm = Rng.Range(5_000, 90_000);
    }

    public override bool IsActive => _activity is Activity.Outbound or Activity.Inbound || Stack.IsOn || IsRefuelling;
    public override string Firmware => UsesVssPaths ? "7.2.0" : "7.1.3";
    public override GeoPoint Position => _driver.Position;

    public override void Step(SimClock clock, double dt)
    {
        if (clock.LocalDay != _planDay) PlanDay(clock.LocalDay);
        double hour = clock.LocalHour;
        MotorKw = 0;
        switch (_activity)
        {
            case Activity.Parked:
                if (hour >= _dayStart && hour < _lastDeparture)
                {
                    if (Tank.FillFraction < 0.45)
                    {
                        StartRefuel(_dispenserId, Rng.Range(1.6, 2.4));
                        _activity = Activity.Refuelling;
                    }
                    else
                    {
                        _activity = Activity.Loading;
                        _timerS = Rng.Range(1500, 3000);
                    }
                }
                break;
            case Activity.Refuelling:
                if (!IsRefuelling) _activity = Activity.Parked;
                break;
            case Activity.Loading:
                if ((_timerS -= dt) > 0) break;
                _payloadKg = Math.Round(Rng.Range(600, 2200)) * 10;
                Stack.RequestStart();
                _driver.DriveTo(Rng.Pick(_customers), Rng);
                _activity = Activity.Outbound;
                StartTripEvent();
                break;
            case Activity.Outbound:
                MotorKw = Drive(dt);
                if (!_driver.Arrived) break;
                EndTripEvent();
                Stack.RequestStop();
                _activity = Activity.Unloading;
                _timerS = Rng.Range(1500, 3000);
                break;
            case Activity.Unloading:
                if ((_timerS -= dt) > 0) break;
                _payloadKg = Rng.Chance(0.3) ? Math.Round(Rng.Range(200, 900)) * 10 : 0; // a backhaul, sometimes
                Stack.RequestStart();
                _driver.DriveTo(_depot, Rng);
                _activity = Activity.Inbound;
                StartTripEvent();
                break;
            case Activity.Inbound:
                MotorKw = Drive(dt);
                if (!_driver.Arrived) break;
                EndTripEvent();
                Stack.RequestStop();
                _payloadKg = 0;
                _activity = Activity.Parked;
                break;
        }
        if (_activity is Activity.Outbound or Activity.Inbound && Stack.State == FuelCellState.Off) Stack.RequestStart();
        RunPowertrain(clock, Math.Max(MotorKw, 0) + (Stack.IsOn ? 4 : 0), dt);
    }

    private void PlanDay(long day)
    {
        _planDay = day;
        _dayStart = Rng.Range(5.5, 7);
        _lastDeparture = Rng.Range(16, 18);
    }

    private void StartTripEvent()
    {
        Tally.Trips++;
        Emit("trip_start", FieldValue.Float("odo_km", OdoKm, 1), FieldValue.Float("h2_pressure_mpa", Tank.PressureMpa, 2));
    }

    private void EndTripEvent() =>
        Emit("trip_end", FieldValue.Float("odo_km", OdoKm, 1), FieldValue.Float("h2_pressure_mpa", Tank.PressureMpa, 2));

    private double Drive(double dt)
    {
        double metres = _driver.Step(dt, Rng);
        OdoKm += metres / 1000;
        Tally.DistanceKm += metres / 1000;
        return Road.MotorPowerKw(_driver.SpeedMs, _driver.AccelLongMs2, _payloadKg);
    }

    public override void WriteTelemetry(TelemetryWriter f)
    {
        WriteMotion(f, _driver, Spec.Site.AltitudeM, OdoKm);
        f.Bool("ignition", _activity is Activity.Outbound or Activity.Inbound);
        WritePowertrain(f);
        f.Float("motor_rpm", _driver.SpeedMs / 3.2 * 60 * 20, 0);
        f.Float("payload_kg", _payloadKg, 0);
    }
}
