namespace Telemetry.Contract.Decoding.Json;

/// <summary>
/// RFC 3339 date-time (<c>2026-11-25T15:00:00.123+07:00</c>) to Unix milliseconds, from UTF-8,
/// without allocating. An offset (<c>Z</c> or <c>±hh:mm</c>) is required; fractions beyond
/// milliseconds are truncated.
/// </summary>
public static class Rfc3339
{
    public static bool TryParseUnixMs(ReadOnlySpan<byte> s, out long unixMs)
    {
        unixMs = 0;
        if (s.Length < 20) return false;
        if (!TwoDigits(s, 0, out int c) || !TwoDigits(s, 2, out int y) || s[4] != '-' ||
            !TwoDigits(s, 5, out int month) || s[7] != '-' || !TwoDigits(s, 8, out int day) ||
            s[10] is not ((byte)'T' or (byte)'t' or (byte)' ') ||
            !TwoDigits(s, 11, out int hour) || s[13] != ':' || !TwoDigits(s, 14, out int minute) || s[16] != ':' ||
            !TwoDigits(s, 17, out int second))
            return false;
        int year = c * 100 + y;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 59)
            return false;

        int i = 19, millis = 0;
        if (s[i] == '.')
        {
            i++;
            int digits = 0;
            while (i < s.Length && IsDigit(s[i]))
            {
                if (digits < 3) millis = millis * 10 + (s[i] - '0');
                digits++;
                i++;
            }
            if (digits == 0) return false;
            for (int d = digits; d < 3; d++) millis *= 10;
        }
        if (i >= s.Length) return false;

        int offsetMinutes;
        if (s[i] is (byte)'Z' or (byte)'z')
        {
            offsetMinutes = 0;
            i++;
        }
        else if (s[i] is (byte)'+' or (byte)'-')
        {
            if (s.Length - i != 6 || !TwoDigits(s, i + 1, out int oh) || s[i + 3] != ':' || !TwoDigits(s, i + 4, out int om) ||
                oh > 23 || om > 59)
                return false;
            offsetMinutes = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
            i += 6;
        }
        else return false;
        if (i != s.Length) return false;

        long days = new DateTime(year, month, day).Ticks / TimeSpan.TicksPerDay - DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerDay;
        unixMs = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000L + second * 1000L + millis;
        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        if (at + 1 >= s.Length || !IsDigit(s[at]) || !IsDigit(s[at + 1])) return false;
        value = (s[at] - '0') * 10 + (s[at + 1] - '0');
        return true;
    }
}
