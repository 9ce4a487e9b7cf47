using DeviceSim.Publishing;

namespace DeviceSim.Vehicles;

/// <summary>
/// Collects a telemetry sample's fields. Vehicles on newer firmware send some signals by their VSS path
/// (as the catalogue allows), the odometer then in metres as VSS defines it.
/// </summary>
public sealed class TelemetryWriter(bool useVssPaths)
{
    private static readonly Dictionary<string, string> VssPaths = new()
    {
        ["speed_kmh"] = "Vehicle.Speed",
        ["lat"] = "Vehicle.CurrentLocation.Latitude",
        ["lon"] = "Vehicle.CurrentLocation.Longitude",
        ["heading_deg"] = "Vehicle.CurrentLocation.Heading",
        ["soc_pct"] = "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current",
    };

    public List<FieldValue> Fields { get; private set; } = [];

    public List<FieldValue> Take()
    {
        var fields = Fields;
        Fields = [];
        return fields;
    }

    public void Float(string key, double value, int decimals)
    {
        if (useVssPaths && key == "odo_km")
        {
            Fields.Add(FieldValue.Float("Vehicle.TraveledDistance", value * 1000, 0));
            return;
        }
        Fields.Add(FieldValue.Float(useVssPaths && VssPaths.TryGetValue(key, out var path) ? path : key, value, decimals));
    }

    public void Int(string key, long value) => Fields.Add(FieldValue.Int(key, value));
    public void Bool(string key, bool value) => Fields.Add(FieldValue.Bool(key, value));
    public void String(string key, string value) => Fields.Add(FieldValue.String(key, value));
}
