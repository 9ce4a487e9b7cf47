namespace DeviceSim.Simulation;

/// <summary>The simulated time of one step, with Thai local time (UTC+7, no daylight saving) for schedules.</summary>
public readonly record struct SimClock(long UnixMs)
{
    private const long BangkokOffsetMs = 7 * 3600_000L;

    public double LocalHour => (UnixMs + BangkokOffsetMs) % 86_400_000L / 3_600_000.0;
    public long LocalDay => (UnixMs + BangkokOffsetMs) / 86_400_000L;
}
