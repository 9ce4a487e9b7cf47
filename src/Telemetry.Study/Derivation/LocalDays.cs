namespace Telemetry.Study.Derivation;

/// <summary>
/// Local calendar days of one time zone as UTC millisecond ranges. Finding the day of a sample is a range
/// check against the day found last; the time zone is consulted only when a sample leaves it.
/// </summary>
public sealed class LocalDays
{
    private readonly TimeZoneInfo _zone;
    private long _cachedStart = long.MaxValue;
    private long _cachedEnd = long.MinValue;
    private DateOnly _cachedDate;

    public LocalDays(TimeZoneInfo zone) => _zone = zone;

    public TimeZoneInfo Zone => _zone;

    /// <summary>The zone for an IANA (or Windows) id, null when unknown. Linux reads /usr/share/zoneinfo (Debian's tzdata); invariant globalization does not affect it.</summary>
    public static TimeZoneInfo? TryFindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>UTC ms of the local midnight that starts <paramref name="date"/> (the first valid local time of that day).</summary>
    public long StartMs(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // Where a DST change skips midnight, the day starts at the first local time that exists.
        for (int i = 0; i < 4 && _zone.IsInvalidTime(local); i++) local = local.AddMinutes(30);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, _zone)).ToUnixTimeMilliseconds();
    }

    /// <summary>The local date of an instant.</summary>
    public DateOnly DateOf(long timeMs)
    {
        if (timeMs >= _cachedStart && timeMs < _cachedEnd) return _cachedDate;
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime, _zone);
        _cachedDate = DateOnly.FromDateTime(local);
        _cachedStart = StartMs(_cachedDate);
        _cachedEnd = StartMs(_cachedDate.AddDays(1));
        return _cachedDate;
    }
}
