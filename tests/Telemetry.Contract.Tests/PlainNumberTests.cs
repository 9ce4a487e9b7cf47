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
    [Theory]
    [InlineData(38.5f, "38.5")]
    [InlineData(13.7563f, "13.7563")]
    [InlineData(-0.25f, "-0.25")]
    [InlineData(0f, "0")]
    [InlineData(72f, "72")]
    [InlineData(0.001f, "0.001")]
    [InlineData(1234567.9f, "1234567.9")]
    [InlineData(0.1f, "0.1")]
    public void Writes_a_float_reading_as_R_does(float value, string expected)
    {
        var buffer = new byte[32];
        Assert.True(PlainNumber.TryWriteShortFloat(value, buffer, out int length, out double known));
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, length));
        Assert.Equal(double.Parse(expected, CultureInfo.InvariantCulture), known);
    }

    [Theory]
    [InlineData(1e7f)]
    [InlineData(3.4e38f)]
    [InlineData(0.0001f)]
    [InlineData(1e-30f)]
    [InlineData(-0f)]
    public void Leaves_other_floats_to_the_caller(float value) =>
        Assert.False(PlainNumber.TryWriteShortFloat(value, new byte[32], out _, out _));

    [Fact]
    public void Agrees_with_R_on_a_million_random_floats()
    {
        var random = new Random(20261203);
        var buffer = new byte[32];
        int written = 0;
        for (int i = 0; i < 1_000_000; i++)
        {
            // Half readings of a few decimals (what vehicles send), half arbitrary bit patterns.
            float value = i % 2 == 0
                ? (float)(Math.Round((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(0, 7)), random.Next(0, 5)))
                : BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
            if (!float.IsFinite(value) || !PlainNumber.TryWriteShortFloat(value, buffer, out int length, out double known)) continue;
            string text = Encoding.ASCII.GetString(buffer, 0, length);
            Assert.Equal(value.ToString("R", CultureInfo.InvariantCulture), text);
            Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), known);
            written++;
        }
        Assert.True(written > 400_000, $"{written} of 1,000,000 took the short path");
    }
    [Fact]
    public void Writes_doubles_of_few_decimals_as_R_does_and_the_rest_round_trip()
    {
        var random = new Random(20261204);
        var buffer = new byte[PlainNumber.MaxDoubleLength];
        for (int i = 0; i < 1_000_000; i++)
        {
            // Readings rounded to a few decimals, as vehicles send them, and arbitrary doubles.
            double value = i % 2 == 0
                ? Math.Round((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(0, 9)), random.Next(0, 7))
                : BitConverter.Int64BitsToDouble(random.NextInt64());
            if (!double.IsFinite(value)) continue;
            string text = Encoding.ASCII.GetString(buffer, 0, PlainNumber.WriteDouble(value, buffer));
            Assert.Equal(value, double.Parse(text, CultureInfo.InvariantCulture));
            string r = value.ToString("R", CultureInfo.InvariantCulture);
            if (!r.Contains('E')) Assert.Equal(r, text);
        }
    }
}
