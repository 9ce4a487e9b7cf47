using System.Text;
using static Telemetry.Study.Report.Markup;

namespace Telemetry.Study.Report.Svg;

/// <summary>
/// One plot as inline SVG: a plot area (<see cref="Left"/>..<see cref="Right"/>, <see cref="Top"/>..<see cref="Bottom"/>,
/// in pixels of the viewBox), axes, and data marks. Every data mark carries <c>class="mark"</c> and a
/// <c>&lt;title&gt;</c> (shown on hover, read by screen readers), so a test can count what was drawn.
/// Text is escaped here; callers pass plain strings.
/// </summary>
internal sealed class Chart
{
    public const double DefaultWidth = 760;
    const double TickLength = 5;

    readonly StringBuilder grid = new();
    readonly StringBuilder marks = new();
    readonly StringBuilder overlay = new();

    public double Width { get; }
    public double Height { get; }
    public double Left { get; }
    public double Right { get; }
    public double Top { get; }
    public double Bottom { get; }
    public int MarkCount { get; private set; }

    public Chart(double height, double marginLeft = 64, double marginBottom = 46, double marginTop = 14, double marginRight = 18,
        double width = DefaultWidth)
    {
        Width = width;
        Height = height;
        Left = marginLeft;
        Right = width - marginRight;
        Top = marginTop;
        Bottom = height - marginBottom;
    }

    public LinearAxis NiceX(double low, double high, int targetTicks = 8, bool whole = false) =>
        LinearAxis.Nice(low, high, targetTicks, Left, Right, whole);

    public LinearAxis NiceY(double low, double high, int targetTicks = 5, bool whole = false) =>
        LinearAxis.Nice(low, high, targetTicks, Bottom, Top, whole);

    public void BottomAxis(LinearAxis x, string label, bool gridLines = false)
    {
        foreach (double tick in x.Ticks())
        {
            double px = x.Map(tick);
            if (gridLines)
                grid.Append($"<line class=\"grid\" x1=\"{Px(px)}\" y1=\"{Px(Top)}\" x2=\"{Px(px)}\" y2=\"{Px(Bottom)}\"/>");
            overlay.Append($"<line class=\"tick\" x1=\"{Px(px)}\" y1=\"{Px(Bottom)}\" x2=\"{Px(px)}\" y2=\"{Px(Bottom + TickLength)}\"/>");
            overlay.Append($"<text class=\"tick-label\" x=\"{Px(px)}\" y=\"{Px(Bottom + TickLength + 12)}\" text-anchor=\"middle\">{Escape(x.Label(tick))}</text>");
        }
        AxisLineAndTitleBelow(label);
    }

    public void LeftAxis(LinearAxis y, string label, bool gridLines = true)
    {
        foreach (double tick in y.Ticks())
        {
            double py = y.Map(tick);
            if (gridLines)
                grid.Append($"<line class=\"grid\" x1=\"{Px(Left)}\" y1=\"{Px(py)}\" x2=\"{Px(Right)}\" y2=\"{Px(py)}\"/>");
            overlay.Append($"<line class=\"tick\" x1=\"{Px(Left - TickLength)}\" y1=\"{Px(py)}\" x2=\"{Px(Left)}\" y2=\"{Px(py)}\"/>");
            overlay.Append($"<text class=\"tick-label\" x=\"{Px(Left - TickLength - 3)}\" y=\"{Px(py + 4)}\" text-anchor=\"end\">{Escape(y.Label(tick))}</text>");
        }
        AxisLineAndTitleLeft(label);
    }

    /// <summary>Category labels under the bands; <paramref name="every"/> > 1 labels only every n-th band.</summary>
    public void BottomAxis(BandAxis x, IReadOnlyList<string> labels, string label, int every = 1)
    {
        for (int i = 0; i < x.Count; i += Math.Max(1, every))
            overlay.Append($"<text class=\"tick-label\" x=\"{Px(x.Center(i))}\" y=\"{Px(Bottom + 16)}\" text-anchor=\"middle\">{Escape(labels[i])}</text>");
        AxisLineAndTitleBelow(label);
    }

    /// <summary>
    /// Category labels left of the bands, shortened to <paramref name="maxChars"/> (the full text stays in a title);
    /// bands too thin for a label each get one every n-th band.
    /// </summary>
    public void LeftAxis(BandAxis y, IReadOnlyList<string> labels, string label, int maxChars = 18)
    {
        const double smallestFont = 8;
        double fontSize = Math.Min(11, Math.Max(smallestFont, y.Band * 0.8));
        int every = (int)Math.Ceiling(smallestFont * 1.15 / y.Band);
        for (int i = 0; i < y.Count; i += Math.Max(1, every))
        {
            string text = labels[i].Length > maxChars ? labels[i][..(maxChars - 1)] + "…" : labels[i];
            overlay.Append($"<text class=\"tick-label\" x=\"{Px(Left - 6)}\" y=\"{Px(y.Center(i) + fontSize * 0.35)}\" text-anchor=\"end\" font-size=\"{Px(fontSize)}\">"
                + $"<title>{Escape(labels[i])}</title>{Escape(text)}</text>");
        }
        if (label.Length > 0)
            overlay.Append($"<text class=\"axis-title\" x=\"{Px(Left)}\" y=\"{Px(Top - 4)}\" text-anchor=\"end\">{Escape(label)}</text>");
    }

    void AxisLineAndTitleBelow(string label)
    {
        overlay.Append($"<line class=\"axis\" x1=\"{Px(Left)}\" y1=\"{Px(Bottom)}\" x2=\"{Px(Right)}\" y2=\"{Px(Bottom)}\"/>");
        overlay.Append($"<text class=\"axis-title\" x=\"{Px((Left + Right) / 2)}\" y=\"{Px(Height - 6)}\" text-anchor=\"middle\">{Escape(label)}</text>");
    }

    void AxisLineAndTitleLeft(string label)
    {
        overlay.Append($"<line class=\"axis\" x1=\"{Px(Left)}\" y1=\"{Px(Top)}\" x2=\"{Px(Left)}\" y2=\"{Px(Bottom)}\"/>");
        double cy = (Top + Bottom) / 2;
        overlay.Append($"<text class=\"axis-title\" x=\"14\" y=\"{Px(cy)}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Px(cy)})\">{Escape(label)}</text>");
    }

    public void Rect(double x, double y, double width, double height, string fill, string tooltip)
    {
        if (width <= 0 || height <= 0)
            return;
        marks.Append($"<rect class=\"mark\" x=\"{Px(x)}\" y=\"{Px(y)}\" width=\"{Px(width)}\" height=\"{Px(height)}\" fill=\"{fill}\"><title>{Escape(tooltip)}</title></rect>");
        MarkCount++;
    }

    public void Circle(double cx, double cy, double radius, string fill, string tooltip, double opacity = 1)
    {
        string alpha = opacity < 1 ? $" fill-opacity=\"{Px(opacity)}\"" : "";
        marks.Append($"<circle class=\"mark\" cx=\"{Px(cx)}\" cy=\"{Px(cy)}\" r=\"{Px(radius)}\" fill=\"{fill}\"{alpha}><title>{Escape(tooltip)}</title></circle>");
        MarkCount++;
    }

    /// <summary>A data mark made of several shapes (a box of a box plot), given as SVG built by the caller from numbers only.</summary>
    public void Group(string shapes, string tooltip)
    {
        marks.Append($"<g class=\"mark\"><title>{Escape(tooltip)}</title>{shapes}</g>");
        MarkCount++;
    }

    /// <summary>Text drawn over the marks (a count in a heat-map cell).</summary>
    public void Text(double x, double y, string text, string cssClass = "cell-label", string anchor = "middle") =>
        overlay.Append($"<text class=\"{cssClass}\" x=\"{Px(x)}\" y=\"{Px(y)}\" text-anchor=\"{anchor}\">{Escape(text)}</text>");

    /// <summary>A swatch (not a data mark): legends and colour scales.</summary>
    public void Swatch(double x, double y, double width, double height, string fill) =>
        overlay.Append($"<rect class=\"swatch\" x=\"{Px(x)}\" y=\"{Px(y)}\" width=\"{Px(width)}\" height=\"{Px(height)}\" fill=\"{fill}\"/>");

    /// <summary>Colour keys in a row at the top right of the plot area, or just above it.</summary>
    public void Legend(IReadOnlyList<(string Label, string Color)> entries, bool abovePlot = false, int minimumEntries = 2)
    {
        if (entries.Count < minimumEntries)
            return;
        double top = abovePlot ? Top - 16 : Top + 1;
        double x = Right;
        for (int i = entries.Count - 1; i >= 0; i--)
        {
            double textWidth = entries[i].Label.Length * 6.6;
            x -= textWidth;
            overlay.Append($"<text class=\"legend\" x=\"{Px(x)}\" y=\"{Px(top + 9)}\">{Escape(entries[i].Label)}</text>");
            x -= 14;
            Swatch(x, top, 10, 10, entries[i].Color);
            x -= 12;
        }
    }

    public string ToSvg(string description) =>
        $"<svg class=\"chart\" viewBox=\"0 0 {Px(Width)} {Px(Height)}\" role=\"img\" aria-label=\"{Escape(description)}\" xmlns=\"http://www.w3.org/2000/svg\">"
        + $"<g class=\"grid-lines\">{grid}</g><g class=\"marks\">{marks}</g><g class=\"overlay\">{overlay}</g></svg>";
}
