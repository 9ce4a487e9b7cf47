using DeviceSim.Publishing;
using DeviceSim.Vehicles;

namespace DeviceSim.Manifest;

/// <summary>The thresholds of wire contract section 8 (the study's defaults) that the ground truth is cut with.</summary>
public sealed record StudyRules
{
    public double MovingKmh { get; init; } = 3;
    public long StopMs { get; init; } = 300_000;
    public long GapMs { get; init; } = 3_600_000;
    public long MinTripMs { get; init; } = 130_000;
    public double MinTripKm { get; init; } = 0.215;
    public long MinChargeMs { get; init; } = 120_000;
    public double ChargingAmps { get; init; } = 0.5;
}

public sealed record TripTruth(int Vehicle, long StartMs, long EndMs, double? DistanceKm, double EnergyKwh, double? H2Kg,
    double? SocStartPct, double? SocEndPct, double MaxSpeedKmh, int Samples);

public sealed record ChargeTruth(int Vehicle, long StartMs, long EndMs, double EnergyKwh, double? SocStartPct, double? SocEndPct);

public sealed record SwapTruth(int Vehicle, long AtMs, SwapFacts Facts);

public sealed record RefuelTruth(int Vehicle, long StartMs, long EndMs, double H2Kg, double? PressureStartMpa, double? PressureEndMpa, string? StationId);

/// <summary>
/// What the study must find in the fleet's data, known exactly because the simulator made it. Trips and charge
/// sessions are cut with the contract's rules from every telemetry sample the vehicles issued (before faults):
/// what a receiver that lost nothing would see. Their distance, energy and hydrogen are the simulator's own
/// exact values over that span (odometer, battery power integrated every simulated second, hydrogen burnt),
/// not estimates from the samples. Swaps and refuels are the ones the vehicles performed.
/// </summary>
public sealed class GroundTruth
{
    private readonly VehicleTruth[] _vehicles;

    public GroundTruth(int vehicles, StudyRules? rules = null)
    {
        Rules = rules ?? new StudyRules();
        _vehicles = Enumerable.Range(0, vehicles).Select(i => new VehicleTruth(i, this)).ToArray();
    }

    public StudyRules Rules { get; }
    public List<TripTruth> Trips { get; } = [];
    public List<ChargeTruth> ChargeSessions { get; } = [];
    public List<SwapTruth> Swaps { get; } = [];
    public List<RefuelTruth> Refuels { get; } = [];

    /// <summary>After every step: integrates the battery power the vehicle reports.</summary>
    public void Advance(int vehicle, double batteryPowerKw, double seconds) =>
        _vehicles[vehicle].BatteryKwh += batteryPowerKw * seconds / 3600;

    /// <summary>A telemetry sample as issued (before any fault), with the hydrogen burnt so far.</summary>
    public void Sample(int vehicle, long tsMs, IReadOnlyList<FieldValue> fields, double h2UsedKg) =>
        _vehicles[vehicle].OnSample(Reading.From(tsMs, fields, _vehicles[vehicle].BatteryKwh, h2UsedKg));

    public void Event(int vehicle, long tsMs, VehicleEvent e) => _vehicles[vehicle].OnEvent(tsMs, e);

    /// <summary>The end of the run closes what is still open (as the end of a study's range does).</summary>
    public void Finish()
    {
        foreach (var v in _vehicles) v.Finish();
        Trips.Sort((a, b) => (a.Vehicle, a.StartMs).CompareTo((b.Vehicle, b.StartMs)));
        ChargeSessions.Sort((a, b) => (a.Vehicle, a.StartMs).CompareTo((b.Vehicle, b.StartMs)));
        Swaps.Sort((a, b) => (a.Vehicle, a.AtMs).CompareTo((b.Vehicle, b.AtMs)));
        Refuels.Sort((a, b) => (a.Vehicle, a.StartMs).CompareTo((b.Vehicle, b.StartMs)));
    }

    /// <summary>One sample as the study reads it (published, rounded values) plus the simulator's exact running totals.</summary>
    private readonly record struct Reading(long Ts, double SpeedKmh, bool? Ignition, bool? Charging, double? BattA, double? SocPct,
        double? OdoKm, double? OdoExactKm, double? H2MassKg, double BatteryKwh, double H2UsedKg)
    {
        public static Reading From(long ts, IReadOnlyList<FieldValue> fields, double batteryKwh, double h2UsedKg)
        {
            double speed = 0;
            bool? ignition = null, charging = null;
            double? battA = null, soc = null, odo = null, odoExact = null, h2 = null;
            foreach (var f in fields)
            {
                switch (f.Key)
                {
                    case "speed_kmh" or "Vehicle.Speed": speed = Published(f); break;
                    case "ignition": ignition = f.Flag; break;
                    case "charging": charging = f.Flag; break;
                    case "batt_a": battA = Published(f); break;
                    case "soc_pct" or "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current": soc = Published(f); break;
                    case "odo_km": odo = Published(f); odoExact = f.Number; break;
                    case "Vehicle.TraveledDistance": odo = Published(f) / 1000; odoExact = f.Number / 1000; break;
                    case "h2_mass_kg": h2 = Published(f); break;
                }
            }
            return new Reading(ts, speed, ignition, charging, battA, soc, odo, odoExact, h2, batteryKwh, h2UsedKg);
        }

        /// <summary>The value as the payload carries it (rounded to the field's decimals, as PayloadWriter prints it).</summary>
        private static double Published(FieldValue f) => Math.Round(f.Number, f.Decimals, MidpointRounding.AwayFromZero);
    }

    private sealed class Span(Reading first)
    {
        public Reading First { get; } = first;
        public Reading Last { get; set; } = first;
        public int Samples { get; set; } = 1;
        public int SamplesToLast { get; set; } = 1;
        public double MaxSpeedKmh { get; set; } = first.SpeedKmh;
    }

    private sealed class VehicleTruth(int index, GroundTruth truth)
    {
        private StudyRules Rules => truth.Rules;
        private Reading? _previous;
        private Span? _trip, _charge;
        private (long Ts, double? PressureMpa, string? Station)? _refuelStart;

        public double BatteryKwh;

        public void OnSample(Reading r)
        {
            bool gap = _previous is { } p && r.Ts - p.Ts > Rules.GapMs;
            bool moving = r.SpeedKmh >= Rules.MovingKmh && r.Ignition != false;
            if (_trip is { } trip && (gap || r.Ignition == false || (moving && r.Ts - trip.Last.Ts >= Rules.StopMs))) CloseTrip();
            if (_trip is { } open)
            {
                open.Samples++;
                if (moving)
                {
                    open.Last = r;
                    open.SamplesToLast = open.Samples;
                    open.MaxSpeedKmh = Math.Max(open.MaxSpeedKmh, r.SpeedKmh);
                }
            }
            else if (moving) _trip = new Span(r);

            bool charging = r.Charging ?? (r.BattA > Rules.ChargingAmps && r.SpeedKmh < Rules.MovingKmh);
            if (_charge is not null && (!charging || gap)) CloseCharge();
            if (charging)
            {
                if (_charge is { } c) c.Last = r;
                else _charge = new Span(r);
            }
            _previous = r;
        }

        public void OnEvent(long ts, VehicleEvent e)
        {
            switch (e.Type)
            {
                case "battery_swap" when e.Swap is { } facts:
                    truth.Swaps.Add(new SwapTruth(index, ts, facts));
                    break;
                case "refuel_start":
                    _refuelStart = (ts, Number(e, "h2_pressure_mpa"), Text(e, "station_id"));
                    break;
                case "refuel_end" when _refuelStart is { } start:
                    truth.Refuels.Add(new RefuelTruth(index, start.Ts, ts, Number(e, "h2_kg") ?? 0, start.PressureMpa,
                        Number(e, "h2_pressure_mpa"), start.Station ?? Text(e, "station_id")));
                    _refuelStart = null;
                    break;
            }
        }

        public void Finish()
        {
            if (_trip is not null) CloseTrip();
            if (_charge is not null) CloseCharge();
        }

        private void CloseTrip()
        {
            var t = _trip!;
            _trip = null;
            var (a, b) = (t.First, t.Last);
            bool longEnough = b.Ts - a.Ts >= Rules.MinTripMs || (b.OdoKm - a.OdoKm ?? 0) >= Rules.MinTripKm;
            if (!longEnough) return;
            truth.Trips.Add(new TripTruth(index, a.Ts, b.Ts, b.OdoExactKm - a.OdoExactKm, b.BatteryKwh - a.BatteryKwh,
                a.H2MassKg is null ? null : b.H2UsedKg - a.H2UsedKg, a.SocPct, b.SocPct, t.MaxSpeedKmh, t.SamplesToLast));
        }

        private void CloseCharge()
        {
            var c = _charge!;
            _charge = null;
            if (c.Last.Ts - c.First.Ts < Rules.MinChargeMs) return;
            truth.ChargeSessions.Add(new ChargeTruth(index, c.First.Ts, c.Last.Ts, c.First.BatteryKwh - c.Last.BatteryKwh,
                c.First.SocPct, c.Last.SocPct));
        }

        private static double? Number(VehicleEvent e, string key) =>
            e.Fields.FirstOrDefault(f => f.Key == key) is { Key: not null } f ? f.Number : null;

        private static string? Text(VehicleEvent e, string key) => e.Fields.FirstOrDefault(f => f.Key == key).Text;
    }
}
