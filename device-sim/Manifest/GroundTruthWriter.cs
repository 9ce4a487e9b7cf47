using System.Globalization;
using System.Text.Json;
using DeviceSim.Fleet;
using DeviceSim.Simulation;

namespace DeviceSim.Manifest;

/// <summary>
/// Writes the manifest's <c>truth</c> section: the rules it was cut with, totals per kind, every trip, charge
/// session, swap and refuel, and every vehicle-day with its sequence numbers (completeness), in the units and
/// with the field names of wire contract section 8.
/// </summary>
public static class GroundTruthWriter
{
    public static void Write(Utf8JsonWriter w, RunResult run)
    {
        var m = run.Manifest;
        var truth = m.Truth;
        truth.Finish();
        var specs = m.Vehicles.Select(a => a.Spec).ToList();
        w.WriteStartObject("truth");

        w.WriteStartObject("rules");
        w.WriteString("time_zone", "Asia/Bangkok");
        w.WriteNumber("moving_kmh", truth.Rules.MovingKmh);
        w.WriteNumber("stop_s", truth.Rules.StopMs / 1000.0);
        w.WriteNumber("gap_s", truth.Rules.GapMs / 1000.0);
        w.WriteNumber("min_trip_s", truth.Rules.MinTripMs / 1000.0);
        w.WriteNumber("min_trip_km", truth.Rules.MinTripKm);
        w.WriteNumber("min_charge_s", truth.Rules.MinChargeMs / 1000.0);
        w.WriteNumber("charging_a", truth.Rules.ChargingAmps);
        w.WriteEndObject();

        w.WriteStartObject("by_kind");
        foreach (var kind in VehicleKind.All)
        {
            bool Of(int vehicle) => specs[vehicle].Kind == kind;
            if (!specs.Any(s => s.Kind == kind)) continue;
            var trips = truth.Trips.Where(t => Of(t.Vehicle)).ToList();
            var refuels = truth.Refuels.Where(r => Of(r.Vehicle)).ToList();
            var vehicles = run.Vehicles.Where(v => v.Spec.Kind == kind).ToList();
            w.WriteStartObject(kind);
            w.WriteNumber("vehicles", vehicles.Count);
            w.WriteNumber("trips", trips.Count);
            Number(w, "distance_km", trips.Sum(t => t.DistanceKm ?? 0), 3);
            Number(w, "energy_kwh", trips.Sum(t => t.EnergyKwh), 4);
            if (kind != VehicleKind.EMoto) Number(w, "h2_kg", trips.Sum(t => t.H2Kg ?? 0), 4);
            w.WriteNumber("charge_sessions", truth.ChargeSessions.Count(c => Of(c.Vehicle)));
            w.WriteNumber("swaps", truth.Swaps.Count(s => Of(s.Vehicle)));
            w.WriteNumber("refuels", refuels.Count);
            Number(w, "refuelled_kg", refuels.Sum(r => r.H2Kg), 4);
            // What the vehicles did over the whole run, trips or not (the samples see only the trips' spans).
            w.WriteStartObject("simulated");
            Number(w, "distance_km", vehicles.Sum(v => v.Tally.DistanceKm), 3);
            Number(w, "h2_used_kg", vehicles.Sum(v => v.Tally.H2UsedKg), 4);
            w.WriteNumber("trip_starts", vehicles.Sum(v => v.Tally.Trips));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndObject();

        w.WriteStartArray("trips");
        foreach (var t in truth.Trips)
        {
            Span(w, specs[t.Vehicle], t.StartMs, t.EndMs);
            Number(w, "distance_km", t.DistanceKm, 4);
            Number(w, "energy_kwh", t.EnergyKwh, 5);
            Number(w, "h2_kg", t.H2Kg, 5);
            Number(w, "soc_start_pct", t.SocStartPct, 1);
            Number(w, "soc_end_pct", t.SocEndPct, 1);
            Number(w, "max_speed_kmh", t.MaxSpeedKmh, 1);
            w.WriteNumber("samples", t.Samples);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("charge_sessions");
        foreach (var c in truth.ChargeSessions)
        {
            Span(w, specs[c.Vehicle], c.StartMs, c.EndMs);
            Number(w, "energy_kwh", c.EnergyKwh, 5);
            Number(w, "soc_start_pct", c.SocStartPct, 1);
            Number(w, "soc_end_pct", c.SocEndPct, 1);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("swaps");
        foreach (var s in truth.Swaps)
        {
            Start(w, specs[s.Vehicle], "time", s.AtMs);
            w.WriteString("battery_in", s.Facts.BatteryIn);
            w.WriteString("battery_out", s.Facts.BatteryOut);
            Number(w, "soc_in_pct", s.Facts.SocInPct, 3);
            Number(w, "soc_out_pct", s.Facts.SocOutPct, 3);
            w.WriteString("station_id", s.Facts.StationId);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("refuels");
        foreach (var r in truth.Refuels)
        {
            Span(w, specs[r.Vehicle], r.StartMs, r.EndMs);
            Number(w, "h2_kg", r.H2Kg, 5);
            Number(w, "pressure_start_mpa", r.PressureStartMpa, 3);
            Number(w, "pressure_end_mpa", r.PressureEndMpa, 3);
            if (r.StationId is { } station) w.WriteString("station_id", station);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        WriteVehicleDays(w, m, truth);
        w.WriteEndObject();
    }

    /// <summary>Per vehicle and local day: the trips, sessions, swaps and refuels that start in it, and its sequence numbers.</summary>
    private static void WriteVehicleDays(Utf8JsonWriter w, ManifestRecorder m, GroundTruth truth)
    {
        w.WriteStartArray("vehicle_days");
        foreach (var account in m.Vehicles)
        {
            int v = account.Spec.Index;
            bool On(int vehicle, long ms, DateOnly date) => vehicle == v && ManifestRecorder.LocalDate(ms) == date;
            foreach (var (date, seq) in account.Days)
            {
                var trips = truth.Trips.Where(t => On(t.Vehicle, t.StartMs, date)).ToList();
                var refuels = truth.Refuels.Where(r => On(r.Vehicle, r.StartMs, date)).ToList();
                w.WriteStartObject();
                w.WriteString("site", account.Spec.Site.Name);
                w.WriteString("kind", account.Spec.Kind);
                w.WriteString("vehicle_id", account.Spec.Id);
                w.WriteString("date", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), ManifestRecorder.LocalOffset);
                w.WriteNumber("day_start_ms", midnight.ToUnixTimeMilliseconds());
                w.WriteNumber("trips", trips.Count);
                Number(w, "distance_km", trips.Sum(t => t.DistanceKm ?? 0), 4);
                Number(w, "driving_s", trips.Sum(t => (t.EndMs - t.StartMs) / 1000.0), 3);
                Number(w, "energy_kwh", trips.Sum(t => t.EnergyKwh), 5);
                if (account.Spec.Kind != VehicleKind.EMoto) Number(w, "h2_kg", trips.Sum(t => t.H2Kg ?? 0), 5);
                w.WriteNumber("charges", truth.ChargeSessions.Count(c => On(c.Vehicle, c.StartMs, date)));
                w.WriteNumber("swaps", truth.Swaps.Count(s => On(s.Vehicle, s.AtMs, date)));
                w.WriteNumber("refuels", refuels.Count);
                Number(w, "refuelled_kg", refuels.Sum(r => r.H2Kg), 5);
                w.WriteNumber("samples", seq.Written.Count);
                w.WriteNumber("seq_issued", seq.Issued);
                w.WriteNumber("seq_dropped", seq.Dropped);
                w.WriteNumber("seq_rejected", seq.Rejected);
                w.WriteNumber("seq_received", seq.Written.Count);
                w.WriteNumber("seq_expected", seq.Expected);
                Number(w, "completeness_pct", seq.CompletenessPct, 6);
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
    }

    private static void Start(Utf8JsonWriter w, VehicleSpec spec, string timeName, long ms)
    {
        w.WriteStartObject();
        w.WriteString("site", spec.Site.Name);
        w.WriteString("kind", spec.Kind);
        w.WriteString("vehicle_id", spec.Id);
        Time(w, timeName, ms);
    }

    /// <summary>Opens a row of something that lasts: tags, start, end and duration.</summary>
    private static void Span(Utf8JsonWriter w, VehicleSpec spec, long startMs, long endMs)
    {
        Start(w, spec, "start", startMs);
        Time(w, "end", endMs);
        Number(w, "duration_s", (endMs - startMs) / 1000.0, 3);
    }

    private static void Time(Utf8JsonWriter w, string name, long ms)
    {
        w.WriteString(name, DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteNumber(name + "_ms", ms);
    }

    private static void Number(Utf8JsonWriter w, string name, double? value, int decimals)
    {
        if (value is { } v) w.WriteNumber(name, Math.Round(v, decimals));
        else w.WriteNull(name);
    }
}
