using System.Globalization;
using System.Text;
using static Telemetry.Study.Report.Markup;

namespace Telemetry.Study.Report.Svg;

/// <summary>Values of one group (a vehicle kind), drawn in one colour.</summary>
internal sealed record ValueSeries(string Name, string Color, IReadOnlyList<double> Values);

internal readonly record struct ScatterPoint(double X, double Y, string Tooltip);

internal sealed record PointSeries(string Name, string Color, IReadOnlyList<ScatterPoint> Points);

internal readonly record struct Bar(string Label, double Value, string Color, string Tooltip);

/// <summary>A drawn plot (one SVG, or several panels one under the other) and what its caption must add (points outside the axis, sampling).</summary>
internal sealed record DrawnPlot(string Svg, string Note)
{
    /// <summary>Panels drawn one under the other as one figure; null when none has data.</summary>
    public static DrawnPlot? Panels(IEnumerable<DrawnPlot?> panels)
    {
        var drawn = panels.OfType<DrawnPlot>().ToList();
        return drawn.Count == 0
            ? null
            : new DrawnPlot(string.Join("\n", drawn.Select(p => p.Svg)), string.Join(" ", drawn.Select(p => p.Note).Where(n => n.Length > 0)));
    }
}

/// <summary>
/// The report's plot kinds. Each returns null when there is nothing to draw, so the figure says "no data"
/// instead of showing an empty axis.
/// </summary>
internal static class Plots
{
    const double PlotHeight = 300;

    /// <summary>A histogram with one stacked colour per series; <paramref name="noun"/> names what is counted ("trips").</summary>
    public static DrawnPlot? StackedHistogram(IReadOnlyList<ValueSeries> series, Bins bins, double tickStep, string xLabel, string unit,
        string noun, string description, double height = PlotHeight, int legendMinimum = 2)
    {
        if (series.All(s => s.Values.Count == 0))
            return null;
        var counts = new int[series.Count, bins.Count];
        bool overflow = false;
        for (int s = 0; s < series.Count; s++)
        {
            foreach (double value in series[s].Values)
            {
                counts[s, bins.IndexOf(value)]++;
                overflow |= value >= bins.End;
            }
        }
        int tallest = Enumerable.Range(0, bins.Count).Max(b => Enumerable.Range(0, series.Count).Sum(s => counts[s, b]));

        var chart = new Chart(height);
        var x = LinearAxis.Fixed(bins.Start, bins.End, tickStep, chart.Left, chart.Right);
        var y = chart.NiceY(0, tallest, whole: true);
        chart.LeftAxis(y, $"{char.ToUpperInvariant(noun[0])}{noun[1..]}");
        chart.BottomAxis(x, xLabel);
        for (int b = 0; b < bins.Count; b++)
        {
            double baseline = 0;
            double left = x.Map(bins.Edge(b)) + 0.5, right = x.Map(bins.Edge(b + 1)) - 0.5;
            string range = overflow && b == bins.Count - 1
                ? $"≥ {EdgeLabel(bins, b)} {unit}"
                : $"{EdgeLabel(bins, b)}–{EdgeLabel(bins, b + 1)} {unit}";
            for (int s = 0; s < series.Count; s++)
            {
                int count = counts[s, b];
                if (count == 0)
                    continue;
                double top = y.Map(baseline + count), bottom = y.Map(baseline);
                chart.Rect(left, top, right - left, bottom - top, series[s].Color, $"{series[s].Name}: {count} {noun}, {range}");
                baseline += count;
            }
        }
        chart.Legend(series.Where(s => s.Values.Count > 0).Select(s => (s.Name, s.Color)).ToList(), minimumEntries: legendMinimum);
        string note = overflow ? $"The last bin{(legendMinimum < 2 && series.Count == 1 ? $" of {series[0].Name}" : "")} holds everything ≥ {EdgeLabel(bins, bins.Count - 1)} {unit}." : "";
        return new DrawnPlot(chart.ToSvg(description), note);
    }

    static string EdgeLabel(Bins bins, int index)
    {
        int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(bins.Width) + 1e-9));
        return Math.Round(bins.Edge(index), decimals).ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    /// <summary>Tukey box plots, one per series: box Q1–Q3, median, whiskers to the last value within 1.5 IQR, outliers as points.</summary>
    public static DrawnPlot? BoxPlot(IReadOnlyList<ValueSeries> series, string yLabel, string unit, string noun, string description)
    {
        var groups = series.Where(s => s.Values.Count > 0).ToList();
        if (groups.Count == 0)
            return null;
        const int maxOutliersPerGroup = 300;
        var chart = new Chart(PlotHeight);
        var x = new BandAxis(groups.Count, chart.Left, chart.Right);
        double low = Math.Min(0, groups.Min(g => g.Values.Min()));
        var y = chart.NiceY(low, groups.Max(g => g.Values.Max()));
        chart.LeftAxis(y, yLabel);
        chart.BottomAxis(x, groups.Select(g => $"{g.Name} (n = {g.Values.Count})").ToList(), "");
        int outliersLeftOut = 0;
        for (int i = 0; i < groups.Count; i++)
        {
            var sorted = groups[i].Values.Order().ToArray();
            double q1 = Statistics.QuantileOfSorted(sorted, 0.25), median = Statistics.QuantileOfSorted(sorted, 0.5), q3 = Statistics.QuantileOfSorted(sorted, 0.75);
            double fence = 1.5 * (q3 - q1);
            double whiskerLow = sorted.First(v => v >= q1 - fence), whiskerHigh = sorted.Last(v => v <= q3 + fence);
            double center = x.Center(i), half = Math.Min(60, x.Band * 0.3);
            string color = groups[i].Color;
            var shapes = new StringBuilder();
            shapes.Append($"<line class=\"whisker\" x1=\"{Px(center)}\" y1=\"{Px(y.Map(whiskerLow))}\" x2=\"{Px(center)}\" y2=\"{Px(y.Map(whiskerHigh))}\"/>");
            foreach (double end in (double[])[whiskerLow, whiskerHigh])
                shapes.Append($"<line class=\"whisker\" x1=\"{Px(center - half / 2)}\" y1=\"{Px(y.Map(end))}\" x2=\"{Px(center + half / 2)}\" y2=\"{Px(y.Map(end))}\"/>");
            shapes.Append($"<rect class=\"box\" x=\"{Px(center - half)}\" y=\"{Px(y.Map(q3))}\" width=\"{Px(2 * half)}\" height=\"{Px(Math.Max(1, y.Map(q1) - y.Map(q3)))}\" fill=\"{color}\" stroke=\"{color}\"/>");
            shapes.Append($"<line class=\"median\" x1=\"{Px(center - half)}\" y1=\"{Px(y.Map(median))}\" x2=\"{Px(center + half)}\" y2=\"{Px(y.Map(median))}\"/>");
            chart.Group(shapes.ToString(), $"{groups[i].Name}: {sorted.Length} {noun}; median {Number(median, 1)} {unit}, "
                + $"Q1 {Number(q1, 1)}, Q3 {Number(q3, 1)}, whiskers {Number(whiskerLow, 1)}–{Number(whiskerHigh, 1)} {unit}");

            var outliers = sorted.Where(v => v < whiskerLow || v > whiskerHigh).ToList();
            outliersLeftOut += Math.Max(0, outliers.Count - maxOutliersPerGroup);
            foreach (double value in outliers.Take(maxOutliersPerGroup))
                chart.Circle(center, y.Map(value), 2.4, color, $"{groups[i].Name}: {Number(value, 1)} {unit}", 0.7);
        }
        string note = outliersLeftOut > 0 ? $"{outliersLeftOut} outlying points are not drawn." : "";
        return new DrawnPlot(chart.ToSvg(description), note);
    }

    /// <summary>
    /// A scatter plot, one colour per series. The y axis leaves out values beyond Tukey's far-out fences (the note
    /// says how many); above <paramref name="maxPoints"/> one point in k is drawn.
    /// </summary>
    public static DrawnPlot? Scatter(IReadOnlyList<PointSeries> series, string xLabel, string yLabel, string noun, string description,
        int maxPoints = 4000)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        if (all.Count == 0)
            return null;
        int stride = (int)Math.Ceiling(all.Count / (double)maxPoints);
        // Values beyond Tukey's far-out fences (3 × IQR past the quartiles) would squeeze the rest into a line.
        var ys = all.Select(p => p.Y).Order().ToArray();
        double q1 = Statistics.QuantileOfSorted(ys, 0.25), q3 = Statistics.QuantileOfSorted(ys, 0.75);
        double fenceLow = q1 - 3 * (q3 - q1), fenceHigh = q3 + 3 * (q3 - q1);
        var inside = q3 > q1 ? ys.Where(v => v >= fenceLow && v <= fenceHigh).ToArray() : ys;
        double yLow = Math.Min(0, inside[0]), yHigh = inside[^1];

        var chart = new Chart(PlotHeight);
        var x = chart.NiceX(Math.Min(0, all.Min(p => p.X)), all.Max(p => p.X));
        var y = chart.NiceY(yLow, yHigh);
        chart.LeftAxis(y, yLabel);
        chart.BottomAxis(x, xLabel, gridLines: true);
        int outside = all.Count(p => p.Y > y.Max || p.Y < y.Min);
        int drawn = all.Count / stride;
        double radius = drawn > 1000 ? 1.8 : 2.6, opacity = drawn > 1000 ? 0.35 : 0.6;
        foreach (var s in series)
        {
            for (int i = 0; i < s.Points.Count; i += stride)
            {
                var point = s.Points[i];
                if (point.Y <= y.Max && point.Y >= y.Min)
                    chart.Circle(x.Map(point.X), y.Map(point.Y), radius, s.Color, point.Tooltip, opacity);
            }
        }
        chart.Legend(series.Where(s => s.Points.Count > 0).Select(s => (s.Name, s.Color)).ToList());
        var note = new List<string>();
        if (stride > 1)
            note.Add($"One in {stride} of the {all.Count.ToString("N0", CultureInfo.InvariantCulture)} {noun} is drawn.");
        if (outside > 0)
            note.Add($"{outside} {noun} beyond the axis ({Number(y.Min, 2)} to {Number(y.Max, 2)}) are not drawn.");
        return new DrawnPlot(chart.ToSvg(description), string.Join(" ", note));
    }

    /// <summary>
    /// Horizontal bars, one a row, in the order given, labelled with their value while rows are tall enough;
    /// at most <paramref name="maxBars"/> are drawn.
    /// </summary>
    public static DrawnPlot? HorizontalBars(IReadOnlyList<Bar> bars, string xLabel, string unit, int decimals,
        IReadOnlyList<(string Label, string Color)> legend, string description, int maxBars = 200)
    {
        var shown = bars.Where(b => double.IsFinite(b.Value)).Take(maxBars).ToList();
        if (shown.Count == 0)
            return null;
        int longestLabel = Math.Min(18, shown.Max(b => b.Label.Length));
        double rowHeight = Math.Clamp(1080.0 / shown.Count, 6, 18);
        var chart = new Chart(14 + 16 + shown.Count * rowHeight + 46, marginLeft: 16 + longestLabel * 6.6, marginTop: 30);
        var x = chart.NiceX(0, Math.Max(shown.Max(b => b.Value), 0));
        var y = new BandAxis(shown.Count, chart.Top, chart.Bottom);
        chart.BottomAxis(x, xLabel, gridLines: true);
        chart.LeftAxis(y, shown.Select(b => b.Label).ToList(), "");
        for (int i = 0; i < shown.Count; i++)
        {
            double barHeight = y.Band * 0.7;
            double top = y.Center(i) - barHeight / 2;
            double width = Math.Max(1, x.Map(Math.Max(0, shown[i].Value)) - x.Map(0));
            chart.Rect(x.Map(0), top, width, barHeight, shown[i].Color, shown[i].Tooltip);
            if (y.Band >= 12)
                chart.Text(x.Map(0) + width + 4, y.Center(i) + 4, $"{Number(shown[i].Value, decimals)} {unit}".TrimEnd(), "bar-label", "start");
        }
        chart.Legend(legend, abovePlot: true);
        string note = bars.Count > maxBars ? $"The first {maxBars} of {bars.Count} are shown." : "";
        return new DrawnPlot(chart.ToSvg(description), note);
    }

    /// <summary>
    /// A grid of cells, rows × columns; a null cell is drawn in <paramref name="emptyFill"/> and is not a mark
    /// (grey "no data" by default, near-white where an empty cell means none). <paramref name="colorOf"/> maps a
    /// value to a fill, <paramref name="key"/> explains the colours above the plot.
    /// </summary>
    public static DrawnPlot? HeatMap(IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, double?[,] cells,
        Func<double, string> colorOf, Func<int, int, double, string> tooltip, string xLabel, string rowTitle,
        IReadOnlyList<(string Label, string Color)> key, string description, Func<double, string>? cellText = null, int columnLabelEvery = 1,
        string emptyFill = NoDataFill)
    {
        if (rowLabels.Count == 0 || columnLabels.Count == 0)
            return null;
        bool any = false;
        foreach (var cell in cells)
            any |= cell is not null;
        if (!any)
            return null;

        double rowHeight = Math.Clamp(900.0 / rowLabels.Count, 4, 16);
        int longestLabel = Math.Min(18, rowLabels.Max(l => l.Length));
        var chart = new Chart(36 + rowLabels.Count * rowHeight + 46, marginLeft: 16 + longestLabel * 6.6, marginTop: 36);
        var x = new BandAxis(columnLabels.Count, chart.Left, chart.Right);
        var y = new BandAxis(rowLabels.Count, chart.Top, chart.Bottom);
        chart.BottomAxis(x, columnLabels, xLabel, columnLabelEvery);
        chart.LeftAxis(y, rowLabels, rowTitle);
        for (int r = 0; r < rowLabels.Count; r++)
        {
            for (int c = 0; c < columnLabels.Count; c++)
            {
                double left = x.Start(c) + 0.5, top = y.Start(r) + 0.5, width = x.Band - 1, height = y.Band - 1;
                if (cells[r, c] is not { } value)
                {
                    chart.Swatch(left, top, width, height, emptyFill);
                    continue;
                }
                chart.Rect(left, top, width, height, colorOf(value), tooltip(r, c, value));
                if (cellText is not null && y.Band >= 11 && x.Band >= 14)
                    chart.Text(x.Center(c), y.Center(r) + 3.5, cellText(value), Palette.IsDark(colorOf(value)) ? "cell-label on-dark" : "cell-label");
            }
        }
        chart.Legend(key, abovePlot: true, minimumEntries: 1);
        return new DrawnPlot(chart.ToSvg(description), "");
    }

    public const string NoDataFill = "#e4e4e4";
    public const string NoneFill = "#f6f6f6";
}
