namespace Telemetry.Study.Report.Svg;

/// <summary>Equal-width histogram bins from <see cref="Start"/>; values past the last bin are counted in it.</summary>
internal readonly record struct Bins(double Start, double Width, int Count)
{
    public double End => Start + Width * Count;

    public double Edge(int index) => Start + Width * index;

    public int IndexOf(double value) => Math.Clamp((int)Math.Floor((value - Start) / Width), 0, Count - 1);

    /// <summary>
    /// About <paramref name="targetCount"/> bins of a round width from 0 to the 99th percentile of
    /// <paramref name="values"/>, so a few extreme values do not squeeze the rest into one bin.
    /// </summary>
    public static Bins FromZeroCovering(IReadOnlyList<double> values, int targetCount)
    {
        double high = values.Count == 0 ? 1 : Statistics.Quantile(values, 0.99);
        if (high <= 0)
            high = Math.Max(1, values.Count == 0 ? 1 : values.Max());
        double width = LinearAxis.NiceStep(high / targetCount);
        int count = Math.Max(1, (int)Math.Ceiling(high / width - 1e-9));
        if (values.Count > 0 && values.Max() >= count * width && values.Max() < (count + 1) * width)
            count++;
        return new Bins(0, width, count);
    }
}
