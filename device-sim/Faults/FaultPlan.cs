using System.Globalization;

namespace DeviceSim.Faults;

/// <summary>
/// The fraction of telemetry messages that get each fault (or, for clock skew, of vehicles).
/// Parsed from <c>--faults</c>: <c>0.01</c> (every kind at 1 %) or <c>truncated=0.02,duplicate=0.01,...</c>.
/// </summary>
public sealed class FaultPlan
{
    public Dictionary<FaultKind, double> Fractions { get; } = [];
    /// <summary>Kinds named one by one in the spec (not by <c>0.01</c> or <c>all=</c>).</summary>
    public HashSet<FaultKind> Named { get; } = [];

    public double this[FaultKind kind] => Fractions.GetValueOrDefault(kind);
    public bool Any => Fractions.Values.Any(f => f > 0);

    public static FaultPlan Parse(string spec)
    {
        var plan = new FaultPlan();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('=', 2, StringSplitOptions.TrimEntries);
            double fraction = ParseFraction(pieces[^1], part);
            if (pieces.Length == 1)
            {
                foreach (var kind in FaultKinds.All) plan.Fractions[kind] = fraction;
                continue;
            }
            var name = pieces[0];
            if (name is "all" or "*")
            {
                foreach (var kind in FaultKinds.All) plan.Fractions[kind] = fraction;
                continue;
            }
            var parsed = FaultKinds.Parse(name)
                ?? throw new ArgumentException($"unknown fault '{name}' in --faults; known: {string.Join(", ", FaultKinds.All.Select(k => k.Name()))}");
            plan.Fractions[parsed] = fraction;
            plan.Named.Add(parsed);
        }
        if (FaultKinds.Payload.Sum(k => plan[k]) > 1)
            throw new ArgumentException("--faults: the payload faults together exceed 1 (they are exclusive per message)");
        if (FaultKinds.Delivery.Sum(k => plan[k]) > 1)
            throw new ArgumentException("--faults: the delivery faults together exceed 1 (they are exclusive per message)");
        return plan;
    }

    /// <summary>
    /// The plan for a run in <paramref name="format"/>: Sparkplug's own faults are dropped from the others (named one
    /// by one for another format, they are an error).
    /// </summary>
    public FaultPlan For(Formats.PayloadFormat format)
    {
        if (format == Formats.PayloadFormat.Sparkplug) return this;
        var named = FaultKinds.SparkplugOnly.Where(Named.Contains).ToList();
        if (named.Count > 0)
            throw new ArgumentException($"--faults: {string.Join(", ", named.Select(k => k.Name()))}: Sparkplug faults, for --format sparkplug only");
        var plan = new FaultPlan();
        foreach (var (kind, fraction) in Fractions)
            if (!FaultKinds.SparkplugOnly.Contains(kind)) plan.Fractions[kind] = fraction;
        plan.Named.UnionWith(Named);
        return plan;
    }

    private static double ParseFraction(string text, string part)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value is < 0 or > 1)
            throw new ArgumentException($"--faults: '{part}' needs a fraction between 0 and 1");
        return value;
    }

    public override string ToString() => Any
        ? string.Join(",", Fractions.Where(p => p.Value > 0).Select(p => $"{p.Key.Name()}={p.Value.ToString(CultureInfo.InvariantCulture)}"))
        : "none";
}
