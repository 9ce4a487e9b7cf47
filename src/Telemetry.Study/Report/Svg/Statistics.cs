namespace Telemetry.Study.Report.Svg;

/// <summary>The few summary statistics the plots need.</summary>
internal static class Statistics
{
    /// <summary>Quantile <paramref name="q"/> (0–1) by linear interpolation between order statistics (R's type 7).</summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        return QuantileOfSorted(sorted, q);
    }

    public static double QuantileOfSorted(IReadOnlyList<double> sorted, double q)
    {
        double position = (sorted.Count - 1) * q;
        int below = (int)Math.Floor(position);
        int above = Math.Min(sorted.Count - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
