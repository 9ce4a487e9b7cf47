using System.Text;

namespace Telemetry.Contract.Tests;

public class EscapingTests
{
    [Theory]
    [InlineData("speed_kmh", "speed_kmh")]
    [InlineData("a b", "a\\ b")]
    [InlineData("a,b=c", "a\\,b\\=c")]
    public void Escapes_keys(string key, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(LineProtocolEscaping.EscapeKey(key)));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("C:\\path\\", "\"C:\\\\path\\\\\"")]
    [InlineData("", "\"\"")]
    [InlineData("ไทย", "\"ไทย\"")]
    public void Quotes_and_escapes_string_values(string value, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var buffer = new byte[bytes.Length * 2 + 2];
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer, 0, LineProtocolEscaping.WriteQuotedString(bytes, buffer)));
    }
}
