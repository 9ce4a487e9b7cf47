using System.Text.Json;
using Telemetry.Study.Derivation;
using Telemetry.Study.Derived;

namespace Telemetry.Study.Influx;

/// <summary>The InfluxQL that reads what the derivation needs, and the handlers that turn its rows into samples and events.</summary>
public static class StudyQueries
{
    /// <summary>The telemetry fields the derivation reads (the others are not fetched).</summary>
    public static readonly string[] TelemetryFields =
        ["seq", "speed_kmh", "lat", "lon", "odo_km", "ignition", "soc_pct", "batt_v", "batt_a", "batt_temp_c", "charging", "battery_id", "h2_mass_kg", "h2_flow_gps", "h2_pressure_mpa"];

    /// <summary>The event fields read; <c>n</c> is there so that an event with no fields (n=1i) is returned too.</summary>
    public static readonly string[] EventFields = ["type", "battery_id", "station_id", "soc_pct", "h2_kg", "h2_pressure_mpa", "energy_kwh", "n"];

    public static string Telemetry(long fromMs, long toMs, string? site, string? kind) =>
        Select("telemetry", TelemetryFields, fromMs, toMs, site, kind, "");

    public static string Events(long fromMs, long toMs, string? site, string? kind) =>
        Select("events", EventFields, fromMs, toMs, site, kind,
            " AND (\"type\" = 'battery_swap' OR \"type\" = 'refuel_start' OR \"type\" = 'refuel_end' OR \"type\" = 'charge_start' OR \"type\" = 'charge_end')");

    private static string Select(string measurement, string[] fields, long fromMs, long toMs, string? site, string? kind, string extra) =>
        $"SELECT {string.Join(',', fields.Select(Identifier))} FROM {Identifier(measurement)} WHERE time >= '{Rfc3339(fromMs)}' AND time < '{Rfc3339(toMs)}'"
        + TagFilter(site, kind) + extra + " GROUP BY \"site\",\"kind\",\"vehicle_id\"";

    public static string TagFilter(string? site, string? kind) =>
        (site is null ? "" : $" AND \"site\" = {Literal(site)}") + (kind is null ? "" : $" AND \"kind\" = {Literal(kind)}");

    public static string Identifier(string name) => $"\"{name.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
    public static string Literal(string value) => $"'{value.Replace("\\", "\\\\").Replace("'", "\\'")}'";
    public static string Rfc3339(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Reads telemetry rows into <see cref="Sample"/>s and hands each to its vehicle's consumer.</summary>
public sealed class TelemetryRows(Func<VehicleKey, Action<Sample>> consumerFor) : ISeriesHandler
{
    private enum Column { Ignore, Time, Seq, Speed, Lat, Lon, Odo, Ignition, Soc, BattV, BattA, BattTemp, Charging, BatteryId, H2Mass, H2Flow, H2Pressure }

    private Column[] _columns = [];
    private Action<Sample> _consumer = _ => { };
    private VehicleKey _vehicle;
    private bool _hasVehicle;
    private string? _batteryId;

    public long Rows { get; private set; }

    public void Series(VehicleKey vehicle, string[] columns)
    {
        if (!_hasVehicle || vehicle != _vehicle)
        {
            _consumer = consumerFor(vehicle);
            _vehicle = vehicle;
            _hasVehicle = true;
            _batteryId = null;
        }
        _columns = columns.Select(c => c switch
        {
            "time" => Column.Time,
            "seq" => Column.Seq,
            "speed_kmh" => Column.Speed,
            "lat" => Column.Lat,
            "lon" => Column.Lon,
            "odo_km" => Column.Odo,
            "ignition" => Column.Ignition,
            "soc_pct" => Column.Soc,
            "batt_v" => Column.BattV,
            "batt_a" => Column.BattA,
            "batt_temp_c" => Column.BattTemp,
            "charging" => Column.Charging,
            "battery_id" => Column.BatteryId,
            "h2_mass_kg" => Column.H2Mass,
            "h2_flow_gps" => Column.H2Flow,
            "h2_pressure_mpa" => Column.H2Pressure,
            _ => Column.Ignore,
        }).ToArray();
    }

    public void Row(ref Utf8JsonReader row)
    {
        var s = Sample.At(0);
        int i = 0;
        while (row.Read() && row.TokenType != JsonTokenType.EndArray)
        {
            var column = i < _columns.Length ? _columns[i] : Column.Ignore;
            i++;
            if (row.TokenType == JsonTokenType.Null) continue;
            switch (column)
            {
                case Column.Time: s.TimeMs = row.GetInt64(); break;
                case Column.Seq: s.Seq = row.TryGetInt64(out long seq) ? seq : (long)row.GetDouble(); break;
                case Column.Speed: s.SpeedKmh = Number(ref row); break;
                case Column.Lat: s.Lat = Number(ref row); break;
                case Column.Lon: s.Lon = Number(ref row); break;
                case Column.Odo: s.OdoKm = Number(ref row); break;
                case Column.Soc: s.SocPct = Number(ref row); break;
                case Column.BattV: s.BattV = Number(ref row); break;
                case Column.BattA: s.BattA = Number(ref row); break;
                case Column.BattTemp: s.BattTempC = Number(ref row); break;
                case Column.H2Mass: s.H2MassKg = Number(ref row); break;
                case Column.H2Flow: s.H2FlowGps = Number(ref row); break;
                case Column.H2Pressure: s.H2PressureMpa = Number(ref row); break;
                case Column.Ignition: s.Ignition = Flag(ref row); break;
                case Column.Charging: s.Charging = Flag(ref row); break;
                case Column.BatteryId when row.TokenType == JsonTokenType.String:
                    // The same pack for hours: keep one string rather than one per sample.
                    if (_batteryId is null || !row.ValueTextEquals(_batteryId)) _batteryId = row.GetString();
                    s.BatteryId = _batteryId;
                    break;
            }
        }
        Rows++;
        _consumer(s);
    }

    private static double Number(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number ? r.GetDouble() : double.NaN;
    private static bool? Flag(ref Utf8JsonReader r) => r.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null };
}

/// <summary>Reads event rows into <see cref="StudyEvent"/> lists per vehicle (a window's events are few).</summary>
public sealed class EventRows : ISeriesHandler
{
    private string[] _columns = [];
    private List<StudyEvent> _current = [];

    public Dictionary<VehicleKey, List<StudyEvent>> ByVehicle { get; } = [];

    public void Series(VehicleKey vehicle, string[] columns)
    {
        if (!ByVehicle.TryGetValue(vehicle, out var list)) ByVehicle[vehicle] = list = [];
        _current = list;
        _columns = columns;
    }

    public void Row(ref Utf8JsonReader row)
    {
        long time = 0;
        string? type = null, battery = null, station = null;
        double soc = double.NaN, kg = double.NaN, pressure = double.NaN, energy = double.NaN;
        int i = 0;
        while (row.Read() && row.TokenType != JsonTokenType.EndArray)
        {
            string column = i < _columns.Length ? _columns[i] : "";
            i++;
            if (row.TokenType == JsonTokenType.Null) continue;
            bool isNumber = row.TokenType == JsonTokenType.Number, isString = row.TokenType == JsonTokenType.String;
            switch (column)
            {
                case "time": time = row.GetInt64(); break;
                case "type" when isString: type = row.GetString(); break;
                case "battery_id" when isString: battery = row.GetString(); break;
                case "station_id" when isString: station = row.GetString(); break;
                case "soc_pct" when isNumber: soc = row.GetDouble(); break;
                case "h2_kg" when isNumber: kg = row.GetDouble(); break;
                case "h2_pressure_mpa" when isNumber: pressure = row.GetDouble(); break;
                case "energy_kwh" when isNumber: energy = row.GetDouble(); break;
            }
        }
        var eventType = StudyEvent.ParseType(type);
        if (eventType != StudyEventType.Other) _current.Add(new StudyEvent(time, eventType, battery, station, soc, kg, pressure, energy));
    }
}
