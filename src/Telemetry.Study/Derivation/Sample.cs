namespace Telemetry.Study.Derivation;

/// <summary>
/// One telemetry point as the derivation needs it. Absent numbers are NaN, absent flags null, absent
/// <see cref="Seq"/> −1: no allocation per sample (the reader reuses the battery id string while it does not change).
/// </summary>
public struct Sample
{
    public long TimeMs;
    public long Seq;
    public double SpeedKmh;
    public double Lat;
    public double Lon;
    public double OdoKm;
    public double SocPct;
    public double BattV;
    public double BattA;
    public double BattTempC;
    public double H2MassKg;
    public double H2FlowGps;
    public double H2PressureMpa;
    public bool? Ignition;
    public bool? Charging;
    public string? BatteryId;

    /// <summary>A sample at <paramref name="timeMs"/> with every signal absent.</summary>
    public static Sample At(long timeMs) => new()
    {
        TimeMs = timeMs,
        Seq = -1,
        SpeedKmh = double.NaN,
        Lat = double.NaN,
        Lon = double.NaN,
        OdoKm = double.NaN,
        SocPct = double.NaN,
        BattV = double.NaN,
        BattA = double.NaN,
        BattTempC = double.NaN,
        H2MassKg = double.NaN,
        H2FlowGps = double.NaN,
        H2PressureMpa = double.NaN,
    };
}

public enum StudyEventType { Other, BatterySwap, RefuelStart, RefuelEnd, ChargeStart, ChargeEnd }

/// <summary>One row of <c>events</c> that the derivation uses (absent numbers NaN).</summary>
public readonly record struct StudyEvent(
    long TimeMs,
    StudyEventType Type,
    string? BatteryId = null,
    string? StationId = null,
    double SocPct = double.NaN,
    double H2Kg = double.NaN,
    double H2PressureMpa = double.NaN,
    double EnergyKwh = double.NaN)
{
    public static StudyEventType ParseType(string? type) => type switch
    {
        "battery_swap" => StudyEventType.BatterySwap,
        "refuel_start" => StudyEventType.RefuelStart,
        "refuel_end" => StudyEventType.RefuelEnd,
        "charge_start" => StudyEventType.ChargeStart,
        "charge_end" => StudyEventType.ChargeEnd,
        _ => StudyEventType.Other,
    };
}
