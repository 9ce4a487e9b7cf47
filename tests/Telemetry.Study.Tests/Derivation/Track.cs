using Telemetry.Study.Derivation;
using Telemetry.Study.Derived;

namespace Telemetry.Study.Tests;

/// <summary>
/// Writes a vehicle's samples as a script: move, stand, skip time. One sample a second by default; odometer
/// and position follow the speed (northwards along a meridian), seq counts up.
/// </summary>
internal sealed class Track
{
    public static readonly VehicleKey Vehicle = new("bkk", "emoto", "EM-1");
    /// <summary>2026-11-25 08:00 in Bangkok.</summary>
    public static readonly long Start = new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public readonly List<Sample> Samples = [];
    public long TimeMs = Start;
    public double OdoKm = 1000;
    public double Lat = 13.7;
    public long Seq = 1;
    public bool WithOdo = true;
    public bool WithPosition = true;
    public string? BatteryId;
    public double Soc = 80;
    public double BattV = 72, BattA = -10, BattTempC = double.NaN;
    public bool? Charging;
    public double H2MassKg = double.NaN;

    /// <summary><paramref name="count"/> samples at <paramref name="speedKmh"/>, <paramref name="stepS"/> apart; the first one at the current time.</summary>
    public Track Move(int count, double speedKmh = 36, double stepS = 1, double? kmPerStep = null)
    {
        for (int i = 0; i < count; i++)
        {
            Emit(speedKmh);
            double km = kmPerStep ?? speedKmh * stepS / 3600;
            OdoKm += km;
            Lat += km / 111.195; // degrees of latitude per km on the mean sphere
            TimeMs += (long)(stepS * 1000);
        }
        return this;
    }

    public Track Stand(int count, double stepS = 1) => Move(count, 0, stepS, 0);

    public Track Skip(double seconds)
    {
        TimeMs += (long)(seconds * 1000);
        return this;
    }

    /// <summary>Back to the time of the last sample (the next one then comes <paramref name="seconds"/> after it).</summary>
    public Track After(double seconds)
    {
        TimeMs = Samples[^1].TimeMs + (long)(seconds * 1000);
        return this;
    }

    private void Emit(double speed)
    {
        var s = Sample.At(TimeMs);
        s.Seq = Seq++ & 0xFFFF_FFFF;
        s.SpeedKmh = speed;
        s.Ignition = true;
        if (WithOdo) s.OdoKm = OdoKm;
        if (WithPosition)
        {
            s.Lat = Lat;
            s.Lon = 100.5;
        }
        s.SocPct = Soc;
        s.BattV = BattV;
        s.BattA = BattA;
        s.BattTempC = BattTempC;
        s.Charging = Charging;
        s.BatteryId = BatteryId;
        s.H2MassKg = H2MassKg;
        Samples.Add(s);
    }

    /// <summary>Feeds the samples (and events, merged by time) to a deriver and returns a wide range's result.</summary>
    public StudyResult Derive(StudySettings? settings = null, IEnumerable<StudyEvent>? events = null, DateOnly? from = null, DateOnly? to = null) =>
        Run(Samples, settings, events, from, to);

    public static StudyResult Run(IEnumerable<Sample> samples, StudySettings? settings = null, IEnumerable<StudyEvent>? events = null, DateOnly? from = null, DateOnly? to = null)
    {
        var days = new LocalDays(TimeZoneInfo.FindSystemTimeZoneById("Asia/Bangkok"));
        var deriver = new VehicleDeriver(Vehicle, settings ?? new StudySettings(), days);
        var pending = new Queue<StudyEvent>((events ?? []).OrderBy(e => e.TimeMs));
        foreach (var s in samples)
        {
            while (pending.Count > 0 && pending.Peek().TimeMs <= s.TimeMs) deriver.Add(pending.Dequeue());
            deriver.Add(s);
        }
        while (pending.Count > 0) deriver.Add(pending.Dequeue());
        var f = from ?? new DateOnly(2026, 11, 1);
        var t = to ?? new DateOnly(2026, 12, 31);
        var result = new StudyResult { From = f, To = t, TimeZone = "Asia/Bangkok" };
        deriver.Finish(days.StartMs(f), days.StartMs(t), result);
        return result;
    }
}
