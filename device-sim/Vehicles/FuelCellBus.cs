using DeviceSim.Fleet;
using DeviceSim.Physics;
using DeviceSim.Publishing;
using DeviceSim.Simulation;

namespace DeviceSim.Vehicles;

/// <summary>
/// A 12 m fuel-cell city bus on a loop route of about 24 stops: pulls out of the depot early in the
/// morning, dwells at stops with the doors open while passengers board and alight (peaks at 7–9 and
/// 17–19), air-conditioning running, and pulls in late in the evening to refuel its 70 MPa tanks.
/// Consumption lands at about 8–13 kg of hydrogen per 100 km.
/// </summary>
public sealed class FuelCellBus : FuelCellVehicle
{
    private enum Activity { Depot, Starting, ToStop, Dwell, PullIn, Refuelling }

    private static readonly DrivingStyle Style = new(CruiseKmh: 38, MaxAccelMs2: 1.1, MaxBrakeMs2: 1.6, MaxYawRateDps: 12,
        MeanStopSpacingM: 900, MeanStopSeconds: 40, SegmentLengthM: 400, LateralJitterM: 15);
    private static readonly Traction Road = new(MassKg: 13500, RollingResistance: 0.009, DragAreaM2: 5.5, DrivetrainEfficiency: 0.85, RegenFraction: 0.45);
    private const int Capacity = 85;
    private const double PassengerKg = 65;

    private readonly RoadDriver _driver;
    private readonly GeoPoint _depot;
    private readonly List<GeoPoint> _stops = [];
    private readonly string _depotDispenserId;
    private Activity _activity = Activity.Depot;
    private int _nextStop, _passengers;
    private double _dwellS, _serviceStart, _serviceEnd, _hvacKw;
    private bool _doorOpen;
    private long _planDay = -1;

    public FuelCellBus(VehicleSpec spec, ulong seed)
        : base(spec, seed, new HydrogenTank(40, 70, 0, 29), new FuelCellStack(maxPowerKw: 70, cells: 370), 30, 600, 60)
    {
        _depot = spec.Site.Centre.Around(Rng, 1500, 4000);
        var loopCentre = spec.Site.Centre.Around(Rng, 0, 1500);
        double radius = Rng.Range(2500, 4000);
        int stops = 22 + Rng.Next(6);
        for (int i = 0; i < stops; i++)
            _stops.Add(loopCentre.Move(radius * Rng.Range(0.85, 1.15), 360.0 * i / stops));
        _depotDispenserId = $"H2S-{spec.Site.Code}-DEPOT";
        _driver = new RoadDriver(Style, _depot, 0);
        Tank.Fill(Rng.Range(24, 39));
        Tank.Relax(29, 1e6);
        OdoKm = Rng.Range(20_000, 140_000);
    }

    public override bool IsActive => _activity != Activity.Depot;
    public override string Firmware => UsesVssPaths ? "1.9.0" : "1.8.4";
    public override GeoPoint Position => _driver.Position;

    public override void Step(SimClock clock, double dt)
    {
        if (clock.LocalDay != _planDay) PlanDay(clock.LocalDay);
        double hour = clock.LocalHour;
        bool inService = hour >= _serviceStart && hour < _serviceEnd;
        MotorKw = 0;
        // Air-conditioning: 6–16 kW with the afternoon heat, only when the bus is running.
        _hvacKw = _activity is Activity.Depot or Activity.Refuelling ? 0 : 6 + 1.0 * Math.Max(0, Ambient.TemperatureC(hour) - 24);

        switch (_activity)
        {
            case Activity.Depot:
                if (inService)
                {
                    Stack.RequestStart();
                    _activity = Activity.Starting;
                }
                break;
            case Activity.Starting:
                if (Stack.State != FuelCellState.Run) break;
                _nextStop = Rng.Next(_stops.Count);
                _driver.DriveTo(_stops[_nextStop], Rng);
                _activity = Activity.ToStop;
                Tally.Trips++;
                Emit("trip_start", FieldValue.Float("odo_km", OdoKm, 1), FieldValue.Float("h2_pressure_mpa", Tank.PressureMpa, 2),
                    FieldValue.Float("soc_pct", SocPct, 1));
                break;
            case Activity.ToStop:
                MotorKw = Drive(dt);
                if (_driver.Arrived) ArriveAtStop(hour);
                break;
            case Activity.Dwell:
                if ((_dwellS -= dt) > 0) break;
                _doorOpen = false;
                if (!inService)
                {
                    _activity = Activity.PullIn;
                    _driver.DriveTo(_depot, Rng);
                    break;
                }
                _nextStop = (_nextStop + 1) % _stops.Count;
                _driver.DriveTo(_stops[_nextStop], Rng);
                _activity = Activity.ToStop;
                break;
            case Activity.PullIn:
                MotorKw = Drive(dt);
                if (!_driver.Arrived) break;
                Emit("trip_end", FieldValue.Float("odo_km", OdoKm, 1), FieldValue.Float("h2_pressure_mpa", Tank.PressureMpa, 2),
                    FieldValue.Float("soc_pct", SocPct, 1));
                Stack.RequestStop();
                _passengers = 0;
                if (Tank.FillFraction < 0.8)
                {
                    StartRefuel(_depotDispenserId, Rng.Range(1.6, 2.2));
                    _activity = Activity.Refuelling;
                }
                else _activity = Activity.Depot;
                break;
            case Activity.Refuelling:
                if (!IsRefuelling) _activity = Activity.Depot;
                break;
        }
        RunPowertrain(clock, MotorKw + _hvacKw + 1.5, dt);
    }

    private void PlanDay(long day)
    {
        _planDay = day;
        _serviceStart = Rng.Range(5.25, 6.25);
        _serviceEnd = Rng.Range(21.5, 22.75);
    }

    private double Drive(double dt)
    {
        double metres = _driver.Step(dt, Rng);
        OdoKm += metres / 1000;
        Tally.DistanceKm += metres / 1000;
        return Road.MotorPowerKw(_driver.SpeedMs, _driver.AccelLongMs2, _passengers * PassengerKg);
    }

    private void ArriveAtStop(double hour)
    {
        double demand = 1 + 7 * (Peak(hour, 7.8) + Peak(hour, 17.8)) + (hour is > 9 and < 17 ? 2 : 0);
        int alight = (int)Math.Round(_passengers * Rng.Range(0.05, 0.35));
        int board = Math.Min(Capacity - (_passengers - alight), (int)Math.Round(Rng.Exponential(demand)));
        _passengers = _passengers - alight + Math.Max(0, board);
        _doorOpen = true;
        _dwellS = 12 + 2.2 * (alight + board) + Rng.Range(0, 10);
        _activity = Activity.Dwell;
    }

    private static double Peak(double hour, double centre) => Math.Exp(-Math.Pow((hour - centre) / 0.9, 2));

    public override void WriteTelemetry(TelemetryWriter f)
    {
        WriteMotion(f, _driver, Spec.Site.AltitudeM, OdoKm);
        // Switched off at the dispenser, as hydrogen stations require.
        f.Bool("ignition", _activity is not (Activity.Depot or Activity.Refuelling));
        WritePowertrain(f);
        f.Float("motor_rpm", _driver.SpeedMs / 3.1 * 60 * 12, 0);
        f.Bool("door_open", _doorOpen);
        f.Int("passengers", _passengers);
    }
}
