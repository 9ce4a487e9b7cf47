using Telemetry.Study.Derived;

namespace Telemetry.Study.Derivation;

/// <summary>
/// The derivation of wire contract section 8 for one vehicle: a state machine fed its telemetry samples and
/// events in time order, one at a time (no sample is kept), that finds trips, charge sessions, refuels and
/// battery swaps, and counts each local day's samples and distinct <c>seq</c>. <see cref="Finish"/> closes
/// what is still open, lets the events confirm or fill in what telemetry found (or stand alone where it found
/// nothing), and hands over the rows that start inside the study's range.
/// </summary>
/// <remarks>
/// A row's start depends only on data before it, never on where reading began (given
/// <see cref="StudySettings.MarginHours"/> of history), so a re-run over an overlapping range writes the same
/// points. Samples must come in time order (InfluxDB returns them so); one that goes back in time is counted for
/// completeness but not used for motion, and a second sample at the same millisecond is ignored.
/// </remarks>
public sealed class VehicleDeriver
{
    private readonly VehicleKey _vehicle;
    private readonly LocalDays _days;
    private readonly double _movingKmh, _chargeA, _refuelKg, _minTripKm;
    private readonly long _stopMs, _gapMs, _minTripMs, _integrationMs, _minChargeMs, _refuelSettleMs, _matchMs;

    private bool _hasLast;
    private long _lastMs = long.MinValue;
    private long _powerMs = long.MinValue, _flowMs = long.MinValue, _positionMs = long.MinValue;
    private double _powerW, _flowGps, _lat, _lon, _cosLat;
    private double _lastSoc = double.NaN, _lastPressure = double.NaN, _lastMass = double.NaN;
    private string? _batteryId;

    private readonly TripBuilder _trip = new();
    private ChargeBuilder? _charge;
    private RefuelBuilder? _refuel;
    private readonly List<SwapBuilder> _awaitingSoc = [];

    private readonly List<Trip> _trips = [];
    private readonly List<ChargeSession> _charges = [];
    private readonly List<Refuel> _refuels = [];
    private readonly List<SwapBuilder> _swaps = [];
    private readonly List<SwapBuilder> _eventSwaps = [];
    private readonly List<Refuel> _eventRefuels = [];
    private readonly List<ChargeSession> _eventCharges = [];
    private StudyEvent? _refuelStartEvent, _chargeStartEvent;
    private double _refuelStartPressure = double.NaN, _chargeStartSoc = double.NaN;

    private readonly Dictionary<DateOnly, DayCounts> _dayCounts = [];
    private DayCounts? _day;
    private long _dayStartMs = long.MaxValue, _dayEndMs = long.MinValue;
    private SeqUnwrapper _seq;

    public VehicleDeriver(VehicleKey vehicle, StudySettings settings, LocalDays days)
    {
        _vehicle = vehicle;
        _days = days;
        _movingKmh = settings.MovingSpeedKmh;
        _chargeA = settings.ChargeCurrentA;
        _refuelKg = settings.RefuelMinKg;
        _minTripKm = settings.MinTripMeters / 1000 - 1e-9; // 1 µm of slack: 10.215 − 10 is 0.21499999999999986
        _stopMs = Ms(settings.StopSeconds);
        _gapMs = Ms(settings.GapSeconds);
        _minTripMs = Ms(settings.MinTripSeconds);
        _integrationMs = Ms(settings.IntegrationMaxStepSeconds);
        _minChargeMs = Ms(settings.MinChargeSeconds);
        _refuelSettleMs = Ms(settings.RefuelSettleSeconds);
        _matchMs = Ms(settings.EventMatchSeconds);
    }

    private static long Ms(double seconds) => (long)Math.Round(seconds * 1000);

    public VehicleKey Vehicle => _vehicle;

    /// <summary>Telemetry samples fed so far (every one, also those not used for motion).</summary>
    public long SamplesSeen { get; private set; }

    public void Add(in Sample s)
    {
        SamplesSeen++;
        if (_hasLast && s.TimeMs <= _lastMs)
        {
            // Out of order or the same millisecond again: its seq still counts (once), nothing else.
            if (s.Seq >= 0) DayOf(s.TimeMs).Seq.Add(_seq.Unwrap(s.Seq));
            if (s.TimeMs < _lastMs) DayOf(s.TimeMs).Samples++;
            return;
        }
        var day = DayOf(s.TimeMs);
        day.Samples++;
        if (s.Seq >= 0) day.Seq.Add(_seq.Unwrap(s.Seq));

        if (_hasLast && s.TimeMs - _lastMs > _gapMs)
        {
            EndTrip();
            EndCharge();
            EndRefuel();
        }
        _hasLast = true;
        _lastMs = s.TimeMs;

        // Contributions of the step from the previous sample that had the signal (NaN: none).
        double energyJ = double.NaN;
        long energyFromMs = _powerMs;
        if (!double.IsNaN(s.BattV) && !double.IsNaN(s.BattA))
        {
            double power = s.BattV * s.BattA;
            if (s.TimeMs - _powerMs <= _integrationMs) energyJ = (power + _powerW) / 2 * (s.TimeMs - _powerMs) / 1000.0;
            _powerW = power;
            _powerMs = s.TimeMs;
        }
        double flowG = double.NaN;
        long flowFromMs = _flowMs;
        if (!double.IsNaN(s.H2FlowGps))
        {
            if (s.TimeMs - _flowMs <= _integrationMs) flowG = (s.H2FlowGps + _flowGps) / 2 * (s.TimeMs - _flowMs) / 1000.0;
            _flowGps = s.H2FlowGps;
            _flowMs = s.TimeMs;
        }
        double stepKm = double.NaN;
        long positionFromMs = _positionMs;
        if (!double.IsNaN(s.Lat) && !double.IsNaN(s.Lon))
        {
            double cosLat = Geo.CosLat(s.Lat);
            if (_positionMs != long.MinValue && s.TimeMs - _positionMs <= _gapMs) stepKm = Geo.HaversineKm(_lat, _lon, _cosLat, s.Lat, s.Lon, cosLat);
            _cosLat = cosLat;
            _lat = s.Lat;
            _lon = s.Lon;
            _positionMs = s.TimeMs;
        }

        bool speedKnown = !double.IsNaN(s.SpeedKmh);
        bool moving = s.Ignition != false && speedKnown && s.SpeedKmh >= _movingKmh;
        Trips(s, moving, speedKnown, energyJ, energyFromMs, flowG, flowFromMs, stepKm, positionFromMs);
        Charging(s, moving, energyJ, energyFromMs);
        Refuelling(s, moving);
        Swapping(s);

        if (!double.IsNaN(s.SocPct))
        {
            foreach (var swap in _awaitingSoc) swap.SocIn = s.SocPct;
            _awaitingSoc.Clear();
            _lastSoc = s.SocPct;
        }
        if (!double.IsNaN(s.H2PressureMpa)) _lastPressure = s.H2PressureMpa;
        if (!double.IsNaN(s.H2MassKg)) _lastMass = s.H2MassKg;
    }

    private void Trips(in Sample s, bool moving, bool speedKnown, double energyJ, long energyFromMs, double flowG, long flowFromMs, double stepKm, long positionFromMs)
    {
        var t = _trip;
        if (s.Ignition == false)
        {
            EndTrip();
            return;
        }
        if (moving)
        {
            if (t.Open && t.StillSeen && s.TimeMs - t.LastMovingMs >= _stopMs) EndTrip();
            if (!t.Open)
            {
                t.Start(s);
                return;
            }
            t.Pending.Add(s, energyJ, energyFromMs, flowG, flowFromMs, stepKm, positionFromMs, t.StartMs);
            t.Commit(s);
            return;
        }
        if (!t.Open) return;
        if (speedKnown)
        {
            t.StillSeen = true;
            if (s.TimeMs - t.LastMovingMs >= _stopMs)
            {
                EndTrip();
                return;
            }
        }
        t.Pending.Add(s, energyJ, energyFromMs, flowG, flowFromMs, stepKm, positionFromMs, t.StartMs);
    }

    private void EndTrip()
    {
        var t = _trip;
        if (!t.Open) return;
        t.Open = false;
        var c = t.Committed;
        long durationMs = t.LastMovingMs - t.StartMs;
        double distanceKm = c.OdoCount >= 2 && c.LastOdo >= c.FirstOdo ? c.LastOdo - c.FirstOdo : c.TrackKm;
        if (durationMs < _minTripMs && distanceKm < _minTripKm) return;
        double? energy = c.HasEnergy ? -c.EnergyJ / 3.6e6 : null;
        double? h2 = c.MassCount >= 1 ? c.FirstMass - c.LastMass : c.HasFlow ? c.FlowG / 1000 : null;
        _trips.Add(new Trip(
            _vehicle, t.StartMs, t.LastMovingMs, durationMs / 1000.0, distanceKm,
            AvgSpeedKmh: durationMs > 0 ? distanceKm / (durationMs / 3_600_000.0) : 0,
            MaxSpeedKmh: t.MaxSpeedKmh,
            EnergyKwh: energy,
            KwhPerKm: energy is { } e && distanceKm > 0 ? e / distanceKm : null,
            SocStartPct: NullIfNaN(c.FirstSoc),
            SocEndPct: NullIfNaN(c.LastSoc),
            H2Kg: h2,
            KgPer100Km: h2 is { } kg && distanceKm > 0 ? 100 * kg / distanceKm : null,
            Samples: c.Samples,
            AvgBattTempC: c.BattTempCount > 0 ? c.BattTempSum / c.BattTempCount : null));
    }

    private void Charging(in Sample s, bool moving, double energyJ, long energyFromMs)
    {
        // The vehicle's own charging flag decides when it sends one: a fuel-cell vehicle reports false while its
        // stack recharges the buffer battery standing (batt_a > 0), which is not a charge session.
        bool charging = s.Charging ?? (!moving && s.BattA > _chargeA);
        bool notCharging = !charging && (s.Charging.HasValue || !double.IsNaN(s.BattA) || moving);
        if (charging)
        {
            if (_charge is null)
            {
                _charge = new ChargeBuilder { StartMs = s.TimeMs, EndMs = s.TimeMs, SocStart = s.SocPct, SocEnd = s.SocPct };
                return;
            }
            _charge.EndMs = s.TimeMs;
            if (!double.IsNaN(s.SocPct))
            {
                if (double.IsNaN(_charge.SocStart)) _charge.SocStart = s.SocPct;
                _charge.SocEnd = s.SocPct;
            }
            if (!double.IsNaN(energyJ) && energyFromMs >= _charge.StartMs)
            {
                _charge.EnergyJ += energyJ;
                _charge.HasEnergy = true;
            }
        }
        else if (notCharging)
        {
            EndCharge();
        }
    }

    private void EndCharge()
    {
        if (_charge is not { } c) return;
        _charge = null;
        long durationMs = c.EndMs - c.StartMs;
        if (durationMs < _minChargeMs) return;
        _charges.Add(new ChargeSession(_vehicle, c.StartMs, c.EndMs, durationMs / 1000.0,
            c.HasEnergy ? c.EnergyJ / 3.6e6 : null, NullIfNaN(c.SocStart), NullIfNaN(c.SocEnd)));
    }

    private void Refuelling(in Sample s, bool moving)
    {
        if (moving)
        {
            EndRefuel();
            return;
        }
        if (double.IsNaN(s.H2MassKg)) return;
        double pressure = double.IsNaN(s.H2PressureMpa) ? _lastPressure : s.H2PressureMpa;
        if (_refuel is not { } r)
        {
            _refuel = new RefuelBuilder(s.TimeMs, s.H2MassKg, pressure);
            return;
        }
        if (!r.Rising)
        {
            // Follow the lowest mass (the latest of equal ones: the sample just before the rise).
            if (s.H2MassKg <= r.LowKg) r.SetLow(s.TimeMs, s.H2MassKg, pressure);
            else if (s.H2MassKg > r.HighKg) r.SetHigh(s.TimeMs, s.H2MassKg, pressure);
            if (r.HighKg - r.LowKg >= _refuelKg - 1e-9) r.Rising = true;
            return;
        }
        if (s.H2MassKg > r.HighKg) r.SetHigh(s.TimeMs, s.H2MassKg, pressure);
        else if (s.TimeMs - r.HighMs >= _refuelSettleMs || s.H2MassKg < r.HighKg - _refuelKg / 2)
        {
            EndRefuel();
            _refuel = new RefuelBuilder(s.TimeMs, s.H2MassKg, pressure);
        }
    }

    private void EndRefuel()
    {
        if (_refuel is not { } r) return;
        _refuel = null;
        if (!r.Rising) return;
        _refuels.Add(new Refuel(_vehicle, r.LowMs, r.HighMs, (r.HighMs - r.LowMs) / 1000.0, r.HighKg - r.LowKg,
            NullIfNaN(r.LowPressure), NullIfNaN(r.HighPressure)));
    }

    private void Swapping(in Sample s)
    {
        if (s.BatteryId is null) return;
        if (_batteryId is not null && !string.Equals(_batteryId, s.BatteryId, StringComparison.Ordinal))
        {
            var swap = new SwapBuilder { AtMs = s.TimeMs, BatteryIn = s.BatteryId, BatteryOut = _batteryId, SocOut = _lastSoc, SocIn = s.SocPct };
            if (double.IsNaN(s.SocPct)) _awaitingSoc.Add(swap);
            _swaps.Add(swap);
        }
        _batteryId = s.BatteryId;
    }

    public void Add(in StudyEvent e)
    {
        DayOf(e.TimeMs);
        switch (e.Type)
        {
            case StudyEventType.BatterySwap:
                var swap = new SwapBuilder
                {
                    AtMs = e.TimeMs, BatteryIn = e.BatteryId, BatteryOut = _batteryId, SocOut = _lastSoc, SocIn = e.SocPct, StationId = e.StationId,
                };
                if (double.IsNaN(e.SocPct)) _awaitingSoc.Add(swap);
                _eventSwaps.Add(swap);
                break;
            case StudyEventType.RefuelStart:
                _refuelStartEvent = e;
                _refuelStartPressure = double.IsNaN(e.H2PressureMpa) ? _lastPressure : e.H2PressureMpa;
                break;
            case StudyEventType.RefuelEnd:
                var start = _refuelStartEvent ?? e;
                double startPressure = _refuelStartEvent is null ? double.NaN : _refuelStartPressure;
                double kg = !double.IsNaN(e.H2Kg) ? e.H2Kg : start.H2Kg;
                _eventRefuels.Add(new Refuel(_vehicle, start.TimeMs, e.TimeMs, (e.TimeMs - start.TimeMs) / 1000.0, NullIfNaN(kg),
                    NullIfNaN(startPressure), NullIfNaN(double.IsNaN(e.H2PressureMpa) ? _lastPressure : e.H2PressureMpa)));
                _refuelStartEvent = null;
                break;
            case StudyEventType.ChargeStart:
                _chargeStartEvent = e;
                _chargeStartSoc = double.IsNaN(e.SocPct) ? _lastSoc : e.SocPct;
                break;
            case StudyEventType.ChargeEnd:
                if (_chargeStartEvent is { } cs)
                {
                    long durationMs = e.TimeMs - cs.TimeMs;
                    if (durationMs >= _minChargeMs)
                        _eventCharges.Add(new ChargeSession(_vehicle, cs.TimeMs, e.TimeMs, durationMs / 1000.0,
                            NullIfNaN(e.EnergyKwh), NullIfNaN(_chargeStartSoc), NullIfNaN(double.IsNaN(e.SocPct) ? _lastSoc : e.SocPct)));
                }
                _chargeStartEvent = null;
                break;
        }
    }

    /// <summary>
    /// Closes what is open, merges the events in, and adds to <paramref name="result"/> the rows that start in
    /// [<paramref name="fromMs"/>, <paramref name="toMs"/>) and the vehicle-days of the local dates in [from, to).
    /// </summary>
    public void Finish(long fromMs, long toMs, StudyResult result)
    {
        EndTrip();
        EndCharge();
        EndRefuel();
        bool Inside(long ms) => ms >= fromMs && ms < toMs;

        var swaps = MergeSwaps();
        var refuels = MergeIntervals(_refuels, _eventRefuels, r => r.StartMs, r => r.EndMs,
            // The dispenser's metered mass (refuel_end h2_kg) is exact; the tank gauge's rise misses part of the first sample step.
            (t, e) => t with { H2Kg = e.H2Kg ?? t.H2Kg, PressureStartMpa = t.PressureStartMpa ?? e.PressureStartMpa, PressureEndMpa = t.PressureEndMpa ?? e.PressureEndMpa });
        var charges = MergeIntervals(_charges, _eventCharges, c => c.StartMs, c => c.EndMs,
            (t, e) => t with { EnergyKwh = t.EnergyKwh ?? e.EnergyKwh, SocStartPct = t.SocStartPct ?? e.SocStartPct, SocEndPct = t.SocEndPct ?? e.SocEndPct });

        var trips = _trips.Where(t => Inside(t.StartMs)).ToList();
        swaps.RemoveAll(s => !Inside(s.AtMs));
        refuels.RemoveAll(r => !Inside(r.StartMs));
        charges.RemoveAll(c => !Inside(c.StartMs));
        result.Trips.AddRange(trips);
        result.Swaps.AddRange(swaps);
        result.Refuels.AddRange(refuels);
        result.ChargeSessions.AddRange(charges);

        foreach (var (date, counts) in _dayCounts.OrderBy(d => d.Key))
        {
            long dayStart = _days.StartMs(date);
            if (!Inside(dayStart)) continue;
            long dayEnd = _days.StartMs(date.AddDays(1));
            bool InDay(long ms) => ms >= dayStart && ms < dayEnd;
            var dayTrips = trips.Where(t => InDay(t.StartMs)).ToList();
            double distance = dayTrips.Sum(t => t.DistanceKm);
            double? energy = dayTrips.Any(t => t.EnergyKwh is not null) ? dayTrips.Sum(t => t.EnergyKwh ?? 0) : null;
            double? h2 = dayTrips.Any(t => t.H2Kg is not null) ? dayTrips.Sum(t => t.H2Kg ?? 0) : null;
            long expected = counts.Seq.Expected;
            result.VehicleDays.Add(new VehicleDay(
                _vehicle, dayStart, date, distance, dayTrips.Count, dayTrips.Sum(t => t.DurationS),
                energy, energy is { } e && distance > 0 ? e / distance : null,
                h2, h2 is { } kg && distance > 0 ? 100 * kg / distance : null,
                charges.Count(c => InDay(c.StartMs)), swaps.Count(s => InDay(s.AtMs)), refuels.Count(r => InDay(r.StartMs)),
                counts.Samples, expected, counts.Seq.Distinct,
                expected > 0 ? 100.0 * counts.Seq.Distinct / expected : null));
        }
    }

    private List<Swap> MergeSwaps()
    {
        var unmatched = new List<SwapBuilder>(_eventSwaps);
        var merged = new List<Swap>();
        foreach (var t in _swaps)
        {
            SwapBuilder? best = null;
            foreach (var e in unmatched)
                if (Math.Abs(e.AtMs - t.AtMs) <= _matchMs && (best is null || Math.Abs(e.AtMs - t.AtMs) < Math.Abs(best.AtMs - t.AtMs)))
                    best = e;
            if (best is not null)
            {
                unmatched.Remove(best);
                // The event says when and where; telemetry says which packs and their charge, the event fills gaps.
                merged.Add(new Swap(_vehicle, best.AtMs, t.BatteryIn ?? best.BatteryIn, t.BatteryOut ?? best.BatteryOut,
                    NullIfNaN(double.IsNaN(t.SocIn) ? best.SocIn : t.SocIn), NullIfNaN(double.IsNaN(t.SocOut) ? best.SocOut : t.SocOut), best.StationId));
            }
            else
            {
                merged.Add(t.Build(_vehicle));
            }
        }
        merged.AddRange(unmatched.Select(e => e.Build(_vehicle)));
        merged.Sort((a, b) => a.AtMs.CompareTo(b.AtMs));
        return merged;
    }

    /// <summary>Telemetry's rows, each merged with an event row that overlaps it (within the match distance); events matching nothing stand alone.</summary>
    private List<T> MergeIntervals<T>(List<T> fromTelemetry, List<T> fromEvents, Func<T, long> start, Func<T, long> end, Func<T, T, T> merge)
    {
        var unmatched = new List<T>(fromEvents);
        var rows = new List<T>();
        foreach (var t in fromTelemetry)
        {
            int i = unmatched.FindIndex(e => start(e) <= end(t) + _matchMs && end(e) >= start(t) - _matchMs);
            if (i >= 0)
            {
                rows.Add(merge(t, unmatched[i]));
                unmatched.RemoveAt(i);
            }
            else
            {
                rows.Add(t);
            }
        }
        rows.AddRange(unmatched);
        rows.Sort((a, b) => start(a).CompareTo(start(b)));
        return rows;
    }

    private DayCounts DayOf(long timeMs)
    {
        if (timeMs >= _dayStartMs && timeMs < _dayEndMs) return _day!;
        var date = _days.DateOf(timeMs);
        _dayStartMs = _days.StartMs(date);
        _dayEndMs = _days.StartMs(date.AddDays(1));
        if (!_dayCounts.TryGetValue(date, out var day)) _dayCounts[date] = day = new DayCounts();
        _day = day;
        return day;
    }

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;

    private sealed class DayCounts
    {
        public long Samples;
        public readonly SeqRuns Seq = new();
    }

    private sealed class ChargeBuilder
    {
        public long StartMs, EndMs;
        public double SocStart, SocEnd, EnergyJ;
        public bool HasEnergy;
    }

    private sealed class RefuelBuilder(long ms, double kg, double pressure)
    {
        public long LowMs = ms, HighMs = ms;
        public double LowKg = kg, HighKg = kg, LowPressure = pressure, HighPressure = pressure;
        public bool Rising;

        public void SetLow(long ms, double kg, double pressure)
        {
            LowMs = HighMs = ms;
            LowKg = HighKg = kg;
            LowPressure = HighPressure = pressure;
        }

        public void SetHigh(long ms, double kg, double pressure)
        {
            HighMs = ms;
            HighKg = kg;
            HighPressure = pressure;
        }
    }

    private sealed class SwapBuilder
    {
        public long AtMs;
        public string? BatteryIn, BatteryOut, StationId;
        public double SocIn = double.NaN, SocOut = double.NaN;

        public Swap Build(VehicleKey vehicle) => new(vehicle, AtMs, BatteryIn, BatteryOut, NullIfNaN(SocIn), NullIfNaN(SocOut), StationId);
    }
}
