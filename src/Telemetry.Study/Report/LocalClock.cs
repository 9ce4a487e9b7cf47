namespace Telemetry.Study.Report;

/// <summary>Instants of the data (Unix ms, UTC) as wall-clock time in the study's time zone.</summary>
internal sealed class LocalClock
{
    readonly TimeZoneInfo zone;

    LocalClock(TimeZoneInfo zone) => this.zone = zone;

    /// <summary>The clock of an IANA zone id (e.g. <c>Asia/Bangkok</c>); an unknown id is an error naming it.</summary>
    public static LocalClock For(string timeZoneId)
    {
        try
        {
            return new LocalClock(TimeZoneInfo.FindSystemTimeZoneById(timeZoneId));
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"TimeZone '{timeZoneId}' is not a time zone this machine knows (an IANA id such as Asia/Bangkok).", nameof(timeZoneId), e);
        }
    }

    public DateTime ToLocal(long unixMs) => TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), zone).DateTime;

    /// <summary>Hours since local midnight, with the fraction (13.5 = 13:30).</summary>
    public double HourOfDay(long unixMs) => ToLocal(unixMs).TimeOfDay.TotalHours;
}
