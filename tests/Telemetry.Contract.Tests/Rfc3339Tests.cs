using System.Text;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Decoding.Json;

namespace Telemetry.Contract.Tests;

public class Rfc3339Tests
{
    [Theory]
    [InlineData("2026-11-25T15:00:00.123+07:00", 1795593600123)]
    [InlineData("2026-11-25T08:00:00.123Z", 1795593600123)]
    [InlineData("2026-11-25t08:00:00.123z", 1795593600123)]
    [InlineData("2026-11-25 08:00:00.123Z", 1795593600123)]
    [InlineData("2026-11-25T08:00:00Z", 1795593600000)]
    [InlineData("2026-11-25T08:00:00.1Z", 1795593600100)]
    [InlineData("2026-11-25T08:00:00.123456789Z", 1795593600123)]
    [InlineData("2026-11-25T03:30:00-04:30", 1795593600000)]
    [InlineData("1970-01-01T00:00:00Z", 0)]
    [InlineData("2024-02-29T00:00:00Z", 1709164800000)]
    public void Parses_to_unix_milliseconds(string text, long expected)
    {
        Assert.True(Rfc3339.TryParseUnixMs(Encoding.ASCII.GetBytes(text), out long ms));
        Assert.Equal(expected, ms);
    }

    [Theory]
    [InlineData("2026-11-25T08:00:00")]
    [InlineData("2026-11-25T08:00:00.Z")]
    [InlineData("2026-11-25")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2025-02-29T00:00:00Z")]
    [InlineData("2026-11-25T24:00:00Z")]
    [InlineData("2026-11-25T08:00:60Z")]
    [InlineData("2026-11-25T08:00:00+7:00")]
    [InlineData("2026-11-25T08:00:00+07:00x")]
    [InlineData("2026-11-25T08:00:00+24:00")]
    [InlineData("1795593600123")]
    [InlineData("")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(Rfc3339.TryParseUnixMs(Encoding.ASCII.GetBytes(text), out _));
    }
}
