namespace Telemetry.Study.Derivation;

/// <summary>
/// The trip being followed. Samples after the last moving one are held in <see cref="Pending"/>: they become part
/// of the trip when the vehicle moves again, and are dropped when the trip ends before them.
/// </summary>
internal sealed class TripBuilder
{
    public bool Open;
    public long StartMs;
    public long LastMovingMs;
    public double MaxSpeedKmh;
    /// <summary>A sample with a known speed below the moving threshold came after the last moving one.</summary>
    public bool StillSeen;
    public readonly SpanSums Committed = new();
    public readonly SpanSums Pending = new();

    public void Start(in Sample s)
    {
        Open = true;
        StartMs = LastMovingMs = s.TimeMs;
        MaxSpeedKmh = s.SpeedKmh;
        StillSeen = false;
        Committed.Reset();
        Pending.Reset();
        Committed.Add(s, double.NaN, 0, double.NaN, 0, double.NaN, 0, s.TimeMs);
    }

    /// <summary><paramref name="s"/> moves: it and the samples held since the last moving one join the trip.</summary>
    public void Commit(in Sample s)
    {
        Committed.Merge(Pending);
        Pending.Reset();
        LastMovingMs = s.TimeMs;
        StillSeen = false;
        if (s.SpeedKmh > MaxSpeedKmh) MaxSpeedKmh = s.SpeedKmh;
    }
}

/// <summary>Sums and first/last values over a run of samples.</summary>
internal sealed class SpanSums
{
    public long Samples;
    public double TrackKm, EnergyJ, FlowG, BattTempSum;
    public long BattTempCount;
    public bool HasEnergy, HasFlow;
    public double FirstOdo, LastOdo, FirstSoc, LastSoc, FirstMass, LastMass;
    public int OdoCount, MassCount;

    public SpanSums() => Reset();

    public void Reset()
    {
        Samples = 0;
        TrackKm = EnergyJ = FlowG = BattTempSum = 0;
        BattTempCount = 0;
        HasEnergy = HasFlow = false;
        FirstOdo = LastOdo = FirstSoc = LastSoc = FirstMass = LastMass = double.NaN;
        OdoCount = MassCount = 0;
    }

    /// <summary>
    /// Adds a sample; a step (energy, flow, distance) counts when the sample it starts from is inside the trip
    /// (at or after <paramref name="tripStartMs"/>).
    /// </summary>
    public void Add(in Sample s, double energyJ, long energyFromMs, double flowG, long flowFromMs, double stepKm, long positionFromMs, long tripStartMs)
    {
        Samples++;
        if (!double.IsNaN(energyJ) && energyFromMs >= tripStartMs)
        {
            EnergyJ += energyJ;
            HasEnergy = true;
        }
        if (!double.IsNaN(flowG) && flowFromMs >= tripStartMs)
        {
            FlowG += flowG;
            HasFlow = true;
        }
        if (!double.IsNaN(stepKm) && positionFromMs >= tripStartMs) TrackKm += stepKm;
        if (!double.IsNaN(s.BattTempC))
        {
            BattTempSum += s.BattTempC;
            BattTempCount++;
        }
        if (!double.IsNaN(s.OdoKm))
        {
            if (OdoCount++ == 0) FirstOdo = s.OdoKm;
            LastOdo = s.OdoKm;
        }
        if (!double.IsNaN(s.SocPct))
        {
            if (double.IsNaN(FirstSoc)) FirstSoc = s.SocPct;
            LastSoc = s.SocPct;
        }
        if (!double.IsNaN(s.H2MassKg))
        {
            if (MassCount++ == 0) FirstMass = s.H2MassKg;
            LastMass = s.H2MassKg;
        }
    }

    public void Merge(SpanSums later)
    {
        Samples += later.Samples;
        TrackKm += later.TrackKm;
        EnergyJ += later.EnergyJ;
        FlowG += later.FlowG;
        BattTempSum += later.BattTempSum;
        BattTempCount += later.BattTempCount;
        HasEnergy |= later.HasEnergy;
        HasFlow |= later.HasFlow;
        if (later.OdoCount > 0)
        {
            if (OdoCount == 0) FirstOdo = later.FirstOdo;
            LastOdo = later.LastOdo;
            OdoCount += later.OdoCount;
        }
        if (!double.IsNaN(later.FirstSoc))
        {
            if (double.IsNaN(FirstSoc)) FirstSoc = later.FirstSoc;
            LastSoc = later.LastSoc;
        }
        if (later.MassCount > 0)
        {
            if (MassCount == 0) FirstMass = later.FirstMass;
            LastMass = later.LastMass;
            MassCount += later.MassCount;
        }
    }
}
