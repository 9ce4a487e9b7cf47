namespace DeviceSim.Simulation;

/// <summary>
/// The simulated time span and how it maps onto the wall clock. An accelerated day ends at the real start
/// time by default, so every <c>ts</c> is in the past and within the gateway's 7-day window.
/// </summary>
public sealed record RunWindow(long StartMs, long EndMs, double Speed)
{
    public static RunWindow For(SimulationOptions options, DateTimeOffset realNow)
    {
        long now = realNow.ToUnixTimeMilliseconds() / 1000 * 1000;
        if (options.SimDay)
        {
            long end = options.SimEnd?.ToUnixTimeMilliseconds() ?? now;
            long span = (long)options.SimSpan.TotalMilliseconds;
            return new RunWindow(end - span, end, span / Math.Max(1.0, options.Duration.TotalMilliseconds));
        }
        long start = options.SimEnd is { } e ? e.ToUnixTimeMilliseconds() - (long)options.Duration.TotalMilliseconds : now;
        return new RunWindow(start, start + (long)options.Duration.TotalMilliseconds, 1.0);
    }
}
