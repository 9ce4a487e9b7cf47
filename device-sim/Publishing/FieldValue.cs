namespace DeviceSim.Publishing;

public enum FieldKind { Float, Int, Bool, Text, RawJson }

/// <summary>One key/value of a JSON object as it will be written: floats keep their decimals so they print as plain decimals.</summary>
public readonly record struct FieldValue(string Key, FieldKind Kind, double Number = 0, int Decimals = 0, bool Flag = false, string? Text = null)
{
    public static FieldValue Float(string key, double value, int decimals) => new(key, FieldKind.Float, value, decimals);
    public static FieldValue Int(string key, long value) => new(key, FieldKind.Int, value);
    public static FieldValue Bool(string key, bool value) => new(key, FieldKind.Bool, Flag: value);
    public static FieldValue String(string key, string value) => new(key, FieldKind.Text, Text: value);
    /// <summary>Raw JSON text for the value (faults use it to send wrong types).</summary>
    public static FieldValue Raw(string key, string json) => new(key, FieldKind.RawJson, Text: json);
}
