using System.Globalization;

namespace Telemetry.Study.Report;

/// <summary>
/// The report's colours: one per vehicle kind (Okabe–Ito, distinguishable with colour-blindness and in grey
/// print), classes for completeness and for counts.
/// </summary>
internal sealed class Palette
{
    static readonly string[] knownKinds = ["emoto", "h2bus", "h2truck", "h2forklift"];
    static readonly string[] kindColors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"];

    readonly Dictionary<string, string> colorOfKind = new(StringComparer.Ordinal);

    /// <summary>The kinds in report order: the known ones first, then the others by name.</summary>
    public IReadOnlyList<string> Kinds { get; }

    public Palette(IEnumerable<string> kinds)
    {
        var distinct = kinds.Distinct(StringComparer.Ordinal).ToList();
        Kinds = knownKinds.Where(distinct.Contains)
            .Concat(distinct.Where(k => !knownKinds.Contains(k)).Order(StringComparer.Ordinal))
            .ToList();
        for (int i = 0; i < Kinds.Count; i++)
            colorOfKind[Kinds[i]] = kindColors[i % kindColors.Length];
    }

    public string ColorOf(string kind) => colorOfKind.TryGetValue(kind, out var color) ? color : "#999999";

    public IReadOnlyList<(string Label, string Color)> Legend(IEnumerable<string> kinds)
    {
        var present = kinds.ToHashSet(StringComparer.Ordinal);
        return Kinds.Where(present.Contains).Select(k => (k, ColorOf(k))).ToList();
    }

    // Viridis, dark for a poor day so gaps stand out in the heat map.
    static readonly (double From, string Label, string Color)[] completenessClasses =
    [
        (99.5, "≥ 99.5 %", "#fde725"),
        (98, "98–99.5", "#7ad151"),
        (95, "95–98", "#22a884"),
        (80, "80–95", "#2a788e"),
        (50, "50–80", "#414487"),
        (double.NegativeInfinity, "< 50 %", "#440154"),
    ];

    public static string CompletenessColor(double percent) => completenessClasses.First(c => percent >= c.From).Color;

    public static IReadOnlyList<(string Label, string Color)> CompletenessKey =>
        completenessClasses.Select(c => (c.Label, c.Color)).Append(("no data", Svg.Plots.NoDataFill)).ToList();

    static readonly string[] countColors = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

    /// <summary>Five classes of equal width from 1 to <paramref name="max"/>; 0 is left blank by the caller.</summary>
    public static Func<double, string> CountColors(double max, out IReadOnlyList<(string Label, string Color)> key)
    {
        int classes = (int)Math.Min(countColors.Length, Math.Max(1, max));
        double width = max / classes;
        var entries = new List<(string, string)>();
        for (int i = 0; i < classes; i++)
        {
            int from = (int)Math.Floor(i * width) + 1, to = (int)Math.Floor((i + 1) * width);
            string label = from >= to ? from.ToString(CultureInfo.InvariantCulture) : $"{from}–{to}";
            entries.Add((label, countColors[i]));
        }
        key = entries;
        return value => countColors[Math.Clamp((int)Math.Ceiling(value / width) - 1, 0, classes - 1)];
    }

    /// <summary>Whether white text reads better than black on <paramref name="hexColor"/> (#rrggbb).</summary>
    public static bool IsDark(string hexColor)
    {
        int r = Convert.ToInt32(hexColor[1..3], 16), g = Convert.ToInt32(hexColor[3..5], 16), b = Convert.ToInt32(hexColor[5..7], 16);
        return 0.299 * r + 0.587 * g + 0.114 * b < 140;
    }
}
