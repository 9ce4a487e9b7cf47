using System.Text;

namespace Telemetry.Contract;

/// <summary>
/// Line protocol escaping (InfluxDB): measurement and key names escape comma, space and equals;
/// string field values escape backslash and double quote.
/// </summary>
public static class LineProtocolEscaping
{
    public static byte[] EscapeKey(string key)
    {
        var sb = new StringBuilder(key.Length + 4);
        foreach (char c in key)
        {
            if (c is ',' or ' ' or '=') sb.Append('\\');
            sb.Append(c);
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Writes a string field value with its quotes; returns the bytes written. <paramref name="destination"/> must hold 2 + 2 × value.Length.</summary>
    public static int WriteQuotedString(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        int n = 0;
        destination[n++] = (byte)'"';
        int start = 0;
        while (true)
        {
            int i = value[start..].IndexOfAny((byte)'"', (byte)'\\');
            if (i < 0)
            {
                value[start..].CopyTo(destination[n..]);
                n += value.Length - start;
                break;
            }
            value.Slice(start, i).CopyTo(destination[n..]);
            n += i;
            destination[n++] = (byte)'\\';
            destination[n++] = value[start + i];
            start += i + 1;
        }
        destination[n++] = (byte)'"';
        return n;
    }
}
