namespace Telemetry.Pipeline.Quality;

/// <summary>What one <c>seq</c> number says about a vehicle's stream.</summary>
internal enum SeqFinding
{
    /// <summary>The first number seen, or the next one after the highest.</summary>
    InOrder,
    /// <summary>Ahead of the highest by more than one: the numbers between are missing (for now).</summary>
    Gap,
    /// <summary>Below the highest and not seen before: it fills an earlier gap.</summary>
    LateFill,
    /// <summary>Seen before.</summary>
    Duplicate,
    /// <summary>Far below the highest (or implausibly far above): the counter restarted; tracking starts again from here.</summary>
    Reset,
}

/// <summary>
/// A vehicle's <c>seq</c> history: the highest number seen and which of the <see cref="Size"/> numbers
/// up to it have arrived (a ring of bits), so that late and duplicate samples can be told apart.
/// Numbers are unsigned 32-bit and wrap: 0 follows 4294967295.
/// </summary>
internal sealed class SeqWindow
{
    public const int Size = 1024;
    /// <summary>A forward jump above this is taken as a counter restart, not as lost samples.</summary>
    public const uint MaxPlausibleGap = 1 << 20;

    private readonly ulong[] _arrived = new ulong[Size / 64];
    private uint _highest;
    private bool _started;

    /// <param name="missing">for <see cref="SeqFinding.Gap"/>, how many numbers were skipped</param>
    public SeqFinding Observe(uint seq, out uint missing)
    {
        missing = 0;
        if (!_started) return Restart(seq, SeqFinding.InOrder);
        uint ahead = seq - _highest; // wraps: a small value is forward, a huge one is backward
        if (ahead == 0) return SeqFinding.Duplicate;
        if (ahead <= MaxPlausibleGap)
        {
            if (ahead >= Size) Array.Clear(_arrived);
            else for (uint n = _highest + 1; n != seq; n++) Clear(n);
            _highest = seq;
            Set(seq);
            missing = ahead - 1;
            return missing == 0 ? SeqFinding.InOrder : SeqFinding.Gap;
        }
        uint behind = _highest - seq;
        if (behind >= Size) return Restart(seq, SeqFinding.Reset);
        if (IsSet(seq)) return SeqFinding.Duplicate;
        Set(seq);
        return SeqFinding.LateFill;
    }

    private SeqFinding Restart(uint seq, SeqFinding finding)
    {
        Array.Clear(_arrived);
        _started = true;
        _highest = seq;
        Set(seq);
        return finding;
    }

    private void Set(uint n) => _arrived[(n % Size) / 64] |= 1UL << (int)(n % 64);
    private void Clear(uint n) => _arrived[(n % Size) / 64] &= ~(1UL << (int)(n % 64));
    private bool IsSet(uint n) => (_arrived[(n % Size) / 64] & (1UL << (int)(n % 64))) != 0;
}
