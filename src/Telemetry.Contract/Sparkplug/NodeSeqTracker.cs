namespace Telemetry.Contract.Sparkplug;

/// <summary>
/// Sparkplug's <c>seq</c> of one edge node (0–255, wrapping; NBIRTH carries 0 and every later message of
/// the node and its devices the next). A message ahead of the expected seq opens a gap; messages that fill
/// it within the reorder timeout close it again. A gap still open after the timeout means messages were
/// lost: the host must ask the node to rebirth. A seq behind the expected one is a late duplicate.
/// </summary>
internal sealed class NodeSeqTracker
{
    private const int Window = 128; // seqs ahead of the expected one; further ahead reads as behind (mod 256)

    private readonly bool[] _ahead = new bool[256];
    private int _expected;
    private int _aheadCount;
    private long _gapOpenedAtMs = -1;

    public bool HasGap => _gapOpenedAtMs >= 0;

    /// <summary>A BIRTH with <paramref name="seq"/>: counting starts again after it.</summary>
    public void Reset(int seq)
    {
        Array.Clear(_ahead);
        _aheadCount = 0;
        _expected = (seq + 1) & 0xFF;
        _gapOpenedAtMs = -1;
    }

    public enum Finding { InOrder, Ahead, Duplicate }

    public Finding Observe(int seq, long nowMs)
    {
        int distance = (seq - _expected) & 0xFF;
        if (distance >= Window || (distance > 0 && _ahead[seq])) return Finding.Duplicate;
        if (distance > 0)
        {
            _ahead[seq] = true;
            _aheadCount++;
            if (_gapOpenedAtMs < 0) _gapOpenedAtMs = nowMs;
            return Finding.Ahead;
        }
        _expected = (_expected + 1) & 0xFF;
        while (_aheadCount > 0 && _ahead[_expected])
        {
            _ahead[_expected] = false;
            _aheadCount--;
            _expected = (_expected + 1) & 0xFF;
        }
        if (_aheadCount == 0) _gapOpenedAtMs = -1;
        return Finding.InOrder;
    }

    /// <summary>True when a gap has stayed open for <paramref name="reorderTimeoutMs"/> or more.</summary>
    public bool GapExpired(long nowMs, long reorderTimeoutMs) => _gapOpenedAtMs >= 0 && nowMs - _gapOpenedAtMs >= reorderTimeoutMs;
}
