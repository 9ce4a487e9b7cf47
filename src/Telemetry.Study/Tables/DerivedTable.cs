using Telemetry.Study.Derived;

namespace Telemetry.Study.Tables;

public enum FieldType { Float, Integer, Text }

/// <summary>One field of a derived measurement, in the contract's name and InfluxDB type; null = absent.</summary>
public sealed record DerivedField<T>(string Name, FieldType Type, string Unit, Func<T, double?>? Float = null, Func<T, long?>? Integer = null, Func<T, string?>? Text = null)
{
    /// <summary>A float field, rounded to 6 decimals (1 mm, 1 mWh, 1 mg): sums of many samples otherwise end in float noise such as 5.990000000000009.</summary>
    public static DerivedField<T> Of(string name, string unit, Func<T, double?> value) =>
        new(name, FieldType.Float, unit, Float: row => value(row) is { } v ? Math.Round(v, 6) : null);
    public static DerivedField<T> Of(string name, string unit, Func<T, long?> value) => new(name, FieldType.Integer, unit, Integer: value);
    public static DerivedField<T> Of(string name, string unit, Func<T, string?> value) => new(name, FieldType.Text, unit, Text: value);
}

/// <summary>
/// A derived measurement of wire contract section 8 as one definition: its name, whose row it is, its time
/// and its fields in the contract's order. Write-back, the CSV and the Parquet exports all read it, so the
/// three cannot disagree on a name, a type or an order.
/// </summary>
public sealed record DerivedTable<T>(string Measurement, Func<T, VehicleKey> Vehicle, Func<T, long> TimeMs, Func<T, DateOnly>? LocalDate, IReadOnlyList<DerivedField<T>> Fields);

/// <summary>The five tables.</summary>
public static class DerivedTables
{
    public static readonly DerivedTable<Trip> Trips = new("trips", t => t.Vehicle, t => t.StartMs, null,
    [
        DerivedField<Trip>.Of("end_ms", "ms since 1970 UTC", t => (long?)t.EndMs),
        DerivedField<Trip>.Of("duration_s", "s", t => (double?)t.DurationS),
        DerivedField<Trip>.Of("distance_km", "km", t => (double?)t.DistanceKm),
        DerivedField<Trip>.Of("avg_speed_kmh", "km/h", t => (double?)t.AvgSpeedKmh),
        DerivedField<Trip>.Of("max_speed_kmh", "km/h", t => (double?)t.MaxSpeedKmh),
        DerivedField<Trip>.Of("energy_kwh", "kWh (drawn from the battery, net of regeneration)", t => t.EnergyKwh),
        DerivedField<Trip>.Of("kwh_per_km", "kWh/km", t => t.KwhPerKm),
        DerivedField<Trip>.Of("soc_start_pct", "%", t => t.SocStartPct),
        DerivedField<Trip>.Of("soc_end_pct", "%", t => t.SocEndPct),
        DerivedField<Trip>.Of("h2_kg", "kg (consumed)", t => t.H2Kg),
        DerivedField<Trip>.Of("kg_per_100km", "kg/100 km", t => t.KgPer100Km),
        DerivedField<Trip>.Of("samples", "count", t => (long?)t.Samples),
    ]);

    public static readonly DerivedTable<ChargeSession> ChargeSessions = new("charge_sessions", c => c.Vehicle, c => c.StartMs, null,
    [
        DerivedField<ChargeSession>.Of("end_ms", "ms since 1970 UTC", c => (long?)c.EndMs),
        DerivedField<ChargeSession>.Of("duration_s", "s", c => (double?)c.DurationS),
        DerivedField<ChargeSession>.Of("energy_kwh", "kWh (into the battery)", c => c.EnergyKwh),
        DerivedField<ChargeSession>.Of("soc_start_pct", "%", c => c.SocStartPct),
        DerivedField<ChargeSession>.Of("soc_end_pct", "%", c => c.SocEndPct),
    ]);

    public static readonly DerivedTable<Swap> Swaps = new("swaps", s => s.Vehicle, s => s.AtMs, null,
    [
        DerivedField<Swap>.Of("battery_in", "pack id", s => s.BatteryIn),
        DerivedField<Swap>.Of("battery_out", "pack id", s => s.BatteryOut),
        DerivedField<Swap>.Of("soc_in_pct", "% (pack put in)", s => s.SocInPct),
        DerivedField<Swap>.Of("soc_out_pct", "% (pack taken out)", s => s.SocOutPct),
        DerivedField<Swap>.Of("station_id", "station id", s => s.StationId),
    ]);

    public static readonly DerivedTable<Refuel> Refuels = new("refuels", r => r.Vehicle, r => r.StartMs, null,
    [
        DerivedField<Refuel>.Of("end_ms", "ms since 1970 UTC", r => (long?)r.EndMs),
        DerivedField<Refuel>.Of("duration_s", "s", r => (double?)r.DurationS),
        DerivedField<Refuel>.Of("h2_kg", "kg (added)", r => r.H2Kg),
        DerivedField<Refuel>.Of("pressure_start_mpa", "MPa", r => r.PressureStartMpa),
        DerivedField<Refuel>.Of("pressure_end_mpa", "MPa", r => r.PressureEndMpa),
    ]);

    public static readonly DerivedTable<VehicleDay> VehicleDays = new("vehicle_days", d => d.Vehicle, d => d.DayStartMs, d => d.LocalDate,
    [
        DerivedField<VehicleDay>.Of("distance_km", "km", d => (double?)d.DistanceKm),
        DerivedField<VehicleDay>.Of("trips", "count", d => (long?)d.Trips),
        DerivedField<VehicleDay>.Of("driving_s", "s", d => (double?)d.DrivingS),
        DerivedField<VehicleDay>.Of("energy_kwh", "kWh (trips)", d => d.EnergyKwh),
        DerivedField<VehicleDay>.Of("kwh_per_km", "kWh/km", d => d.KwhPerKm),
        DerivedField<VehicleDay>.Of("h2_kg", "kg (trips)", d => d.H2Kg),
        DerivedField<VehicleDay>.Of("kg_per_100km", "kg/100 km", d => d.KgPer100Km),
        DerivedField<VehicleDay>.Of("charges", "count", d => (long?)d.Charges),
        DerivedField<VehicleDay>.Of("swaps", "count", d => (long?)d.Swaps),
        DerivedField<VehicleDay>.Of("refuels", "count", d => (long?)d.Refuels),
        DerivedField<VehicleDay>.Of("samples", "count", d => (long?)d.Samples),
        DerivedField<VehicleDay>.Of("seq_expected", "count", d => (long?)d.SeqExpected),
        DerivedField<VehicleDay>.Of("completeness_pct", "%", d => d.CompletenessPct),
    ]);
}
