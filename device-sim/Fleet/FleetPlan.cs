namespace DeviceSim.Fleet;

/// <summary>How many vehicles of each kind, and where: expands into one <see cref="VehicleSpec"/> per vehicle.</summary>
public sealed class FleetPlan
{
    public Dictionary<string, int> Counts { get; } = VehicleKind.All.ToDictionary(k => k, _ => 0);
    /// <summary>When set, every kind is spread round-robin over these sites instead of its defaults.</summary>
    public List<Site>? Sites { get; set; }

    public int Total => Counts.Values.Sum();

    public IReadOnlyList<VehicleSpec> Expand()
    {
        var specs = new List<VehicleSpec>();
        foreach (var kind in VehicleKind.All)
        {
            var sites = Sites ?? VehicleKind.DefaultSites(kind).Select(n => Site.Find(n)!).ToList();
            for (int i = 0; i < Counts[kind]; i++)
                specs.Add(new VehicleSpec(specs.Count, VehicleKind.VehicleId(kind, i + 1), kind, sites[i % sites.Count]));
        }
        return specs;
    }
}
