namespace Telemetry.Pipeline.Logging;

/// <summary>
/// At most <paramref name="lines"/> log lines per <paramref name="window"/>, so that a flood (a hostile client,
/// an InfluxDB outage retried by every writer) cannot fill the log; the lines held back are counted and handed
/// to the next line allowed, so that none goes unmentioned. Thread-safe.
/// </summary>
public sealed class LogThrottle(TimeSpan window, int lines, TimeProvider time)
{
    private readonly object _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _inWindow;
    private int _heldBack;

    /// <summary>True when a line may be logged now; then <paramref name="heldBack"/> says how many were not logged since the last one allowed.</summary>
    public bool TryTake(out int heldBack)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _windowStart >= window)
            {
                _windowStart = now;
                _inWindow = 0;
            }
            if (_inWindow < lines)
            {
                _inWindow++;
                heldBack = _heldBack;
                _heldBack = 0;
                return true;
            }
            _heldBack++;
            heldBack = 0;
            return false;
        }
    }
}
