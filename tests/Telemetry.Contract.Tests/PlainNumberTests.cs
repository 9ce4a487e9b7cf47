using System.Globalization;
using System.Text;

namespace Telemetry.Contract.Tests;

public class PlainNumberTests
{
    private static string Format(double v)
    {
        var buffer = new byte[PlainNumber.MaxDoubleLength];
        return Encoding.ASCII.GetString(buffer, 0, PlainNumber.WriteDouble(v, buffer));
    }

    [Theory]
    [InlineData(38.5, "38.5")]
    [InlineData(38.0, "38")]
    [InlineData(-0.0, "-0")]
    [InlineData(0.00001, "0.00001")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(-2.5e-10, "-0.00000000025")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1.2345e21, "1234500000000000000000")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(0.1, "0.1")]
    public void Writes_plain_decimal_in_shortest_round_trip_form(double value, string expected)
    {
        Assert.Equal(expected, Format(value));
    }

    [Theory]
    [InlineData(double.MaxValue)]
    [InlineData(double.Epsilon)]
    [InlineData(-1.7976931348623157e308)]
    [InlineData(6.02214076e23)]
    [InlineData(1.0 / 3)]
    public void Round_trips_exactly_with_no_exponent(double value)
    {
        var text = Format(value);
        Assert.DoesNotContain("E", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(value, double.Parse(text, CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0L, "0i")]
    [InlineData(-42L, "-42i")]
    [InlineData(4294967295L, "4294967295i")]
    [InlineData(long.MinValue, "-9223372036854775808i")]
    public void Writes_integers_with_i(long value, string expected)
    {
        var buffer = new byte[PlainNumber.MaxIntegerLength];
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, PlainNumber.WriteInteger(value, buffer)));
    }

    [Fact]
    public void Refuses_non_finite_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Format(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Format(double.PositiveInfinity));
    }
}
