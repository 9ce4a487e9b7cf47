using Telemetry.Study.Report.Svg;

namespace Telemetry.Study.Tests.Report;

public class AxesTests
{
    [Theory]
    [InlineData(0, 37, 5, 0, 40, 10)]
    [InlineData(0.012, 0.094, 5, 0, 0.1, 0.02)]
    [InlineData(0, 3, 5, 0, 3, 1)]  // counts: no step below 1
    [InlineData(5, 5, 5, 4.4, 5.6, 0.2)] // one value: a range around it
    [InlineData(0, 0, 5, 0, 1, 0.2)]
    public void Nice_axes_end_on_whole_ticks_of_1_2_or_5(double low, double high, int ticks, double min, double max, double step)
    {
        var axis = LinearAxis.Nice(low, high, ticks, 0, 100, whole: high == 3);

        Assert.Equal(min, axis.Min, 9);
        Assert.Equal(max, axis.Max, 9);
        Assert.Equal(step, axis.Step, 9);
        Assert.Equal(axis.Max, axis.Ticks().Last(), 9);
    }

    [Fact]
    public void Y_axes_map_upwards_and_clamp_inside()
    {
        var axis = LinearAxis.Fixed(0, 100, 10, 300, 20);

        Assert.Equal(300, axis.Map(0));
        Assert.Equal(20, axis.Map(100));
        Assert.Equal(20, axis.MapClamped(250));
    }

    [Fact]
    public void Bins_cover_up_to_the_99th_percentile_and_count_the_rest_in_the_last()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i / 100.0).Append(500).ToList(); // 0–9.99 km and one 500 km

        var bins = Bins.FromZeroCovering(values, 20);

        Assert.Equal(0.5, bins.Width);
        Assert.Equal(20, bins.Count);
        Assert.Equal(bins.Count - 1, bins.IndexOf(500));
        Assert.Equal(0, bins.IndexOf(-1));
    }
}
