namespace Telemetry.Study.Derivation;

/// <summary>
/// The distinct <c>seq</c> values of one vehicle-day as sorted, disjoint runs [start, end]: memory grows with
/// the number of gaps, not of samples, and a value received twice is counted once. Values are already
/// unwrapped (see <see cref="SeqUnwrapper"/>), so a counter wrap inside the day is one run, not two far apart.
/// </summary>
public sealed class SeqRuns
{
    private readonly List<(long Start, long End)> _runs = [];
    private int _last;

    public long Distinct { get; private set; }
    public long Min => _runs.Count == 0 ? 0 : _runs[0].Start;
    public long Max => _runs.Count == 0 ? 0 : _runs[^1].End;
    /// <summary>max − min + 1, 0 when no value was added.</summary>
    public long Expected => _runs.Count == 0 ? 0 : Max - Min + 1;
    public int RunCount => _runs.Count;

    public void Add(long value)
    {
        if (_runs.Count > 0)
        {
            var (start, end) = _runs[_last];
            if (value >= start && value <= end) return;
            // The common case: the next value of the run touched last, with nothing to merge behind it.
            if (value == end + 1 && (_last == _runs.Count - 1 || _runs[_last + 1].Start > value + 1))
            {
                _runs[_last] = (start, value);
                Distinct++;
                return;
            }
        }
        Insert(value);
    }

    private void Insert(long value)
    {
        // First run whose start is after value.
        int lo = 0, hi = _runs.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_runs[mid].Start <= value) lo = mid + 1; else hi = mid;
        }
        int before = lo - 1;
        if (before >= 0 && value <= _runs[before].End) { _last = before; return; }
        bool joinsBefore = before >= 0 && _runs[before].End + 1 == value;
        bool joinsAfter = lo < _runs.Count && _runs[lo].Start - 1 == value;
        if (joinsBefore && joinsAfter)
        {
            _runs[before] = (_runs[before].Start, _runs[lo].End);
            _runs.RemoveAt(lo);
            _last = before;
        }
        else if (joinsBefore)
        {
            _runs[before] = (_runs[before].Start, value);
            _last = before;
        }
        else if (joinsAfter)
        {
            _runs[lo] = (value, _runs[lo].End);
            _last = lo;
        }
        else
        {
            _runs.Insert(lo, (value, value));
            _last = lo;
        }
        Distinct++;
    }
}

/// <summary>
/// Turns the 32-bit wrapping <c>seq</c> into a running 64-bit value: each value is placed nearest to the one
/// before (within ±2^31), so a wrap from 4294967295 to 0 continues at 4294967296, and a value arriving out of
/// order (a clock jump, a replayed buffer) lands near its neighbours instead of far away.
/// </summary>
public struct SeqUnwrapper
{
    private long _last;
    private bool _started;

    public long Unwrap(long raw)
    {
        if (!_started)
        {
            _started = true;
            _last = raw;
            return raw;
        }
        int delta = unchecked((int)((uint)raw - (uint)_last));
        _last += delta;
        return _last;
    }
}
