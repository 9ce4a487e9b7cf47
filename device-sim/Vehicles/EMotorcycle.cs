using DeviceSim.Fleet;
using DeviceSim.Physics;
using DeviceSim.Publishing;
using DeviceSim.Simulation;

namespace DeviceSim.Vehicles;

/// <summary>
/// A swappable-battery electric motorcycle (72 V, 2.9 kWh pack). Riders are delivery riders (many short
/// trips in lunch and dinner shifts, swapping when the pack runs low), commuters with a home charger,
/// or commuters who only swap. Together they average about 0.7 swaps per bike-day.
/// </summary>
public sealed class EMotorcycle : Vehicle
{
    private enum Rider { Delivery, CommuterWithCharger, CommuterSwapOnly }
    private enum Activity { Parked, Riding, Swapping }
    private enum Purpose { Delivery, Commute, Errand, Home, Swap }

    private const double PackKwh = 2.88;
    private static readonly DrivingStyle Style = new(CruiseKmh: 40, MaxAccelMs2: 2.2, MaxBrakeMs2: 3.5, MaxYawRateDps: 30,
        MeanStopSpacingM: 700, MeanStopSeconds: 35, SegmentLengthM: 250, LateralJitterM: 20);
    private static readonly Traction Road = new(MassKg: 175, RollingResistance: 0.018, DragAreaM2: 0.6, DrivetrainEfficiency: 0.8, RegenFraction: 0.35);

    private readonly Rider _rider;
    private readonly RoadDriver _driver;
    private readonly GeoPoint _home, _work;
    private readonly double _swapThresholdPct;
    private Activity _activity = Activity.Parked;
    private Purpose _purpose;
    private double _socPct, _sohPct, _battTempC, _motorTempC, _odoKm;
    private double _motorKw, _battA, _battV;
    private string _batteryId;
    private bool _charging;
    private double _chargeEnergyKwh, _tripEnergyKwh;
    private double _waitS, _swapTimerS;
    private SwapStation? _station;
    private (GeoPoint To, Purpose Purpose)? _afterSwap;
    private long _planDay = -1;
    private readonly List<(double Hour, Purpose Purpose)> _departures = [];
    private double _shift1Start, _shift1End, _shift2Start, _shift2End;

    public EMotorcycle(VehicleSpec spec, ulong seed) : base(spec, seed)
    {
        double r = Rng.NextDouble();
        _rider = r < 0.58 ? Rider.Delivery : r < 0.79 ? Rider.CommuterWithCharger : Rider.CommuterSwapOnly;
        _home = spec.Site.Centre.Around(Rng, 500, 6000);
        _work = spec.Site.Centre.Around(Rng, 300, 4000);
        _driver = new RoadDriver(Style, _home, Rng.Range(0, 360));
        _socPct = Rng.Range(35, 98);
        _sohPct = Rng.Range(86, 99);
        _battTempC = 29;
        _motorTempC = 29;
        _odoKm = Rng.Range(800, 25000);
        _batteryId = NewBatteryId();
        _swapThresholdPct = _rider == Rider.Delivery ? Rng.Range(16, 24) : Rng.Range(18, 28);
        _battV = PackVoltage(0);
    }

    public override bool IsActive => _activity != Activity.Parked || _charging;
    public override string Firmware => UsesVssPaths ? "3.1.0" : "2.4.1";
    public override GeoPoint Position => _driver.Position;
    public override double BatteryPowerKw => _battV * -_battA / 1000;

    public override void Step(SimClock clock, double dt)
    {
        double hour = clock.LocalHour;
        if (clock.LocalDay != _planDay) PlanDay(clock.LocalDay);
        double ambient = Ambient.TemperatureC(hour);
        _motorKw = 0;
        _battA = 0;

        switch (_activity)
        {
            case Activity.Parked:
                StepParked(hour, dt);
                break;
            case Activity.Riding:
                StepRiding(dt);
                break;
            case Activity.Swapping:
                if ((_swapTimerS -= dt) <= 0) CompleteSwap();
                break;
        }

        _battV = PackVoltage(_battA);
        _battTempC = Ambient.Relax(_battTempC, ambient + 0.004 * _battA * _battA, dt, 900);
        _motorTempC = Ambient.Relax(_motorTempC, ambient + 9 * Math.Abs(_motorKw), dt, 300);
    }

    private void PlanDay(long day)
    {
        _planDay = day;
        _departures.Clear();
        _shift1Start = Rng.Range(9.5, 11);
        _shift1End = Rng.Range(13.5, 14.5);
        _shift2Start = Rng.Range(16, 17.5);
        _shift2End = Rng.Range(20.5, 22);
        if (_rider != Rider.Delivery)
        {
            _departures.Add((Rng.Range(6.5, 8.5), Purpose.Commute));
            _departures.Add((Rng.Range(16.5, 18.5), Purpose.Home));
            if (Rng.Chance(0.4)) _departures.Add((Rng.Range(19, 20.5), Purpose.Errand));
        }
    }

    private void StepParked(double hour, double dt)
    {
        _waitS -= dt;
        bool atHome = _driver.Position.DistanceTo(_home) < 150;
        if (_charging)
        {
            // Portable 0.65 kW charger; constant-voltage taper above 90 %.
            double kw = 0.65 * Math.Clamp((100 - _socPct) / 10, 0.15, 1);
            _socPct = Math.Min(100, _socPct + kw * 0.92 * dt / 3600 / (PackKwh * _sohPct / 100) * 100);
            _chargeEnergyKwh += kw * dt / 3600;
            _battA = kw * 1000 * 0.92 / _battV;
            if (_socPct >= 99.95) EndCharge();
        }
        else if (_rider == Rider.CommuterWithCharger && atHome && (hour >= 18.5 || hour < 5) && _socPct < 70)
        {
            _charging = true;
            _chargeEnergyKwh = 0;
            Tally.ChargeSessions++;
            Emit("charge_start", FieldValue.Float("soc_pct", _socPct, 1), FieldValue.Float("odo_km", _odoKm, 1),
                FieldValue.String("battery_id", _batteryId));
        }

        if (_afterSwap is { } resume && _waitS <= 0)
        {
            _afterSwap = null;
            if (resume.To.DistanceTo(_driver.Position) > 200) StartTrip(resume);
            return;
        }
        if (NextTrip(hour, atHome) is not { } trip || trip.To.DistanceTo(_driver.Position) < 200) return;
        if (_charging) EndCharge();
        bool needsSwap = _rider != Rider.CommuterWithCharger ? _socPct < _swapThresholdPct : _socPct < 15;
        if (needsSwap)
        {
            if (_rider != Rider.Delivery) _afterSwap = trip;
            StartTrip(SwapTrip());
        }
        else StartTrip(trip);
    }

    private (GeoPoint To, Purpose Purpose)? NextTrip(double hour, bool atHome)
    {
        if (_rider == Rider.Delivery)
        {
            bool onShift = (hour >= _shift1Start && hour < _shift1End) || (hour >= _shift2Start && hour < _shift2End);
            if (onShift && _waitS <= 0)
            {
                var to = _driver.Position.Around(Rng, 1200, 5000);
                if (to.DistanceTo(Spec.Site.Centre) > 7000) to = Spec.Site.Centre.Around(Rng, 500, 5000);
                return (to, Purpose.Delivery);
            }
            if (!onShift && !atHome && _waitS <= 0) return (_home, Purpose.Home);
            return null;
        }
        for (int i = 0; i < _departures.Count; i++)
        {
            if (hour < _departures[i].Hour || hour > _departures[i].Hour + 1) continue;
            var purpose = _departures[i].Purpose;
            _departures.RemoveAt(i);
            return purpose switch
            {
                Purpose.Commute => (_work, purpose),
                Purpose.Errand => (_home.Around(Rng, 800, 3000), purpose),
                _ => (_home, Purpose.Home),
            };
        }
        // After an errand, go home once the shopping is done.
        if (!atHome && _waitS <= 0 && (hour >= 19 || hour < 6)) return (_home, Purpose.Home);
        return null;
    }

    private (GeoPoint, Purpose) SwapTrip()
    {
        _station = SwapNetwork.Nearest(Spec.Site, _driver.Position);
        return (_station.Position, Purpose.Swap);
    }

    private void StartTrip((GeoPoint To, Purpose Purpose) trip)
    {
        _purpose = trip.Purpose;
        _tripEnergyKwh = 0;
        _activity = Activity.Riding;
        _driver.DriveTo(trip.To, Rng);
        Tally.Trips++;
        Emit("trip_start", FieldValue.Float("odo_km", _odoKm, 1), FieldValue.Float("soc_pct", _socPct, 1),
            FieldValue.String("battery_id", _batteryId));
    }

    private void StepRiding(double dt)
    {
        double metres = _driver.Step(dt, Rng);
        _odoKm += metres / 1000;
        Tally.DistanceKm += metres / 1000;
        _motorKw = Road.MotorPowerKw(_driver.SpeedMs, _driver.AccelLongMs2) + 0.04;
        double kwh = _motorKw * dt / 3600;
        _tripEnergyKwh += Math.Max(0, kwh);
        Tally.EnergyKwh += kwh;
        _socPct = Math.Clamp(_socPct - kwh / (PackKwh * _sohPct / 100) * 100, 0.5, 100);
        _battA = -_motorKw * 1000 / _battV;

        if (_purpose != Purpose.Swap && _socPct < 8)
        {
            // Range anxiety: abandon the errand and head for the nearest cabinet.
            if (_rider != Rider.Delivery) _afterSwap = _purpose == Purpose.Commute ? (_work, Purpose.Commute) : (_home, Purpose.Home);
            var (to, _) = SwapTrip();
            _purpose = Purpose.Swap;
            _driver.DriveTo(to, Rng);
        }
        if (!_driver.Arrived) return;

        Emit("trip_end", FieldValue.Float("odo_km", _odoKm, 1), FieldValue.Float("soc_pct", _socPct, 1),
            FieldValue.Float("energy_kwh", _tripEnergyKwh, 3));
        if (_purpose == Purpose.Swap)
        {
            _activity = Activity.Swapping;
            _swapTimerS = Rng.Range(50, 140);
            return;
        }
        _activity = Activity.Parked;
        _waitS = _purpose switch
        {
            Purpose.Delivery => 180 + Rng.Exponential(660),
            Purpose.Errand => Rng.Range(1200, 2700),
            _ => 0,
        };
    }

    private void CompleteSwap()
    {
        string returned = _batteryId;
        double returnedSoc = _socPct;
        _batteryId = NewBatteryId();
        _socPct = Rng.Range(93, 100);
        _sohPct = Rng.Range(84, 99);
        _battTempC = Rng.Range(28, 33);
        Tally.Swaps++;
        Emit(new VehicleEvent("battery_swap", [FieldValue.String("battery_id", _batteryId), FieldValue.String("station_id", _station!.Id),
            FieldValue.Float("soc_pct", _socPct, 1), FieldValue.Float("odo_km", _odoKm, 1),
            FieldValue.String("message", $"returned {returned} at {PayloadWriter.FormatPlain(returnedSoc, 1)} %")])
        {
            Swap = new SwapFacts(returned, returnedSoc, _batteryId, _socPct, _station.Id),
        });
        _activity = Activity.Parked;
        _waitS = _rider == Rider.Delivery ? Rng.Range(60, 300) : Rng.Range(20, 60);
    }

    private void EndCharge()
    {
        _charging = false;
        Emit("charge_end", FieldValue.Float("soc_pct", _socPct, 1), FieldValue.Float("energy_kwh", _chargeEnergyKwh, 3),
            FieldValue.String("battery_id", _batteryId));
    }

    /// <summary>20S lithium-ion pack: 66–82 V open circuit, 60 mΩ internal resistance.</summary>
    private double PackVoltage(double currentA) => 66 + 16 * _socPct / 100 + 0.06 * currentA;

    private string NewBatteryId() => $"BP-{Rng.Next(90000) + 10000}";

    public override void WriteTelemetry(TelemetryWriter f)
    {
        bool riding = _activity == Activity.Riding;
        double speed = riding ? _driver.SpeedKmh : 0;
        f.Float("speed_kmh", speed, 1);
        f.Float("lat", _driver.Position.Lat, 6);
        f.Float("lon", _driver.Position.Lon, 6);
        f.Float("heading_deg", _driver.HeadingDeg, 1);
        f.Float("alt_m", Spec.Site.AltitudeM, 0);
        f.Float("odo_km", _odoKm, 2);
        f.Float("accel_long_ms2", riding ? _driver.AccelLongMs2 : 0, 2);
        f.Float("accel_lat_ms2", riding ? _driver.AccelLatMs2 : 0, 2);
        f.Float("lean_deg", riding ? Math.Atan2(_driver.AccelLatMs2, 9.81) * 180 / Math.PI : 0, 1);
        f.Bool("ignition", riding || _activity == Activity.Swapping);
        f.Bool("side_stand", !riding);
        f.Float("soc_pct", _socPct, 1);
        f.Float("batt_v", _battV, 1);
        f.Float("batt_a", _battA, 1);
        f.Float("batt_temp_c", _battTempC, 1);
        f.Float("soh_pct", _sohPct, 1);
        f.Bool("charging", _charging);
        f.Float("motor_rpm", _driver.SpeedMs / 1.75 * 60 * 8, 0);
        f.Float("motor_temp_c", _motorTempC, 1);
        f.Float("motor_power_kw", _motorKw, 2);
        f.String("battery_id", _batteryId);
    }
}
