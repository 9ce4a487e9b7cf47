using System.Globalization;

namespace Telemetry.Study.Report.Svg;

/// <summary>A numeric axis: data range rounded out to whole ticks, mapped onto a pixel range.</summary>
internal sealed class LinearAxis
{
    public double Min { get; }
    public double Max { get; }
    public double Step { get; }
    public double PixelFrom { get; }
    public double PixelTo { get; }

    LinearAxis(double min, double max, double step, double pixelFrom, double pixelTo)
    {
        Min = min;
        Max = max;
        Step = step;
        PixelFrom = pixelFrom;
        PixelTo = pixelTo;
    }

    /// <summary>An axis with fixed ends and tick step (hours 0–24 every 3, percent 0–100 every 10).</summary>
    public static LinearAxis Fixed(double min, double max, double step, double pixelFrom, double pixelTo) =>
        new(min, max, step, pixelFrom, pixelTo);

    /// <summary>
    /// An axis covering [low, high] with about <paramref name="targetTicks"/> ticks at 1, 2 or 5 × 10ⁿ;
    /// <paramref name="whole"/> keeps the step at 1 or more (counts).
    /// </summary>
    public static LinearAxis Nice(double low, double high, int targetTicks, double pixelFrom, double pixelTo, bool whole = false)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high))
            throw new ArgumentOutOfRangeException(nameof(low), $"axis range {low}..{high} is not finite");
        if (high < low)
            (low, high) = (high, low);
        if (high == low)
        {
            double pad = low == 0 ? 1 : Math.Abs(low) * 0.1;
            (low, high) = (low - (low == 0 ? 0 : pad), high + pad);
        }
        double step = NiceStep((high - low) / Math.Max(1, targetTicks));
        if (whole)
            step = Math.Max(1, step);
        double min = Math.Floor(low / step + 1e-9) * step;
        double max = Math.Ceiling(high / step - 1e-9) * step;
        if (max <= min)
            max = min + step;
        return new LinearAxis(min, max, step, pixelFrom, pixelTo);
    }

    /// <summary>The step of 1, 2 or 5 × 10ⁿ nearest above <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (rough <= 0 || !double.IsFinite(rough))
            return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double residual = rough / magnitude;
        double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    public double Map(double value) => PixelFrom + (value - Min) / (Max - Min) * (PixelTo - PixelFrom);

    /// <summary>The value mapped and held inside the axis (a mark never leaves the plot area).</summary>
    public double MapClamped(double value) => Map(Math.Clamp(value, Min, Max));

    public IEnumerable<double> Ticks()
    {
        for (int i = 0; ; i++)
        {
            double tick = Min + i * Step;
            if (tick > Max + Step * 1e-6)
                yield break;
            yield return tick;
        }
    }

    public string Label(double tick)
    {
        int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(Step) + 1e-9));
        return Math.Round(tick, decimals).ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
