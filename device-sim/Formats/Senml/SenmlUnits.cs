namespace DeviceSim.Formats.Senml;

/// <summary>
/// The SenML unit (RFC 8428 section 12.1, RFC 8798) a vehicle's firmware puts on each signal, as wire contract section 6
/// names them; a signal sent by VSS path is in the VSS unit (the odometer in metres). Signals without a unit get none.
/// </summary>
public static class SenmlUnits
{
    private static readonly Dictionary<string, string> ByKey = new(StringComparer.Ordinal)
    {
        ["speed_kmh"] = "km/h", ["Vehicle.Speed"] = "km/h",
        ["lat"] = "deg", ["Vehicle.CurrentLocation.Latitude"] = "deg",
        ["lon"] = "deg", ["Vehicle.CurrentLocation.Longitude"] = "deg",
        ["heading_deg"] = "deg", ["Vehicle.CurrentLocation.Heading"] = "deg",
        ["alt_m"] = "m",
        ["odo_km"] = "km", ["Vehicle.TraveledDistance"] = "m",
        ["accel_long_ms2"] = "m/s2", ["accel_lat_ms2"] = "m/s2",
        ["soc_pct"] = "%", ["Vehicle.Powertrain.TractionBattery.StateOfCharge.Current"] = "%",
        ["soh_pct"] = "%",
        ["batt_v"] = "V", ["batt_a"] = "A", ["batt_temp_c"] = "Cel",
        ["motor_rpm"] = "1/min", ["motor_temp_c"] = "Cel", ["motor_power_kw"] = "kW",
        ["lean_deg"] = "deg",
        ["h2_pressure_mpa"] = "MPa", ["h2_tank_temp_c"] = "Cel", ["h2_mass_kg"] = "kg", ["h2_flow_gps"] = "g/s",
        ["fc_stack_v"] = "V", ["fc_stack_a"] = "A", ["fc_stack_temp_c"] = "Cel", ["fc_power_kw"] = "kW",
        ["payload_kg"] = "kg",
        ["lift_height_m"] = "m", ["load_kg"] = "kg", ["mast_tilt_deg"] = "deg", ["hour_meter_h"] = "h",
    };

    public static string? Of(string key) => ByKey.GetValueOrDefault(key);
}
