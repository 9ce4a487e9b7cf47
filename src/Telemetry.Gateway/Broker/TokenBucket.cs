using System.Diagnostics;

namespace Telemetry.Gateway.Broker;

/// <summary>A per-device message budget: refills at a steady rate up to a burst size. Thread-safe, allocation-free.</summary>
internal sealed class TokenBucket(double perSecond, int burst, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly object _gate = new();
    private double _tokens = burst;
    private long _lastRefill = (time ?? TimeProvider.System).GetTimestamp();

    public bool TryTake()
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            double elapsedSeconds = (double)(now - _lastRefill) / _time.TimestampFrequency;
            _lastRefill = now;
            _tokens = Math.Min(burst, _tokens + elapsedSeconds * perSecond);
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
