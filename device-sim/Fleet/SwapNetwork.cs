using DeviceSim.Physics;

namespace DeviceSim.Fleet;

public sealed record SwapStation(string Id, GeoPoint Position);

/// <summary>
/// Battery-swap cabinets around each site (petrol stations and convenience stores in practice):
/// the same stations for a site in every run, whatever the seed, as in a real network.
/// </summary>
public static class SwapNetwork
{
    private static readonly Dictionary<string, IReadOnlyList<SwapStation>> BySite = [];
    private static readonly Lock Gate = new();

    public static IReadOnlyList<SwapStation> For(Site site)
    {
        lock (Gate)
        {
            if (BySite.TryGetValue(site.Name, out var stations)) return stations;
            var rng = SeededRandom.For(0x5A17, site.Name);
            var list = new List<SwapStation>();
            for (int i = 0; i < 12; i++)
                list.Add(new SwapStation($"SW-{site.Code}-{rng.Next(900) + 10 * i % 90 + 1:D3}", site.Centre.Around(rng, 300, 6500)));
            // Ids must be unique: renumber any collision.
            var distinct = list.Select((s, i) => list.Take(i).Any(o => o.Id == s.Id) ? s with { Id = $"SW-{site.Code}-{900 + i:D3}" } : s).ToList();
            BySite[site.Name] = distinct;
            return distinct;
        }
    }

    public static SwapStation Nearest(Site site, GeoPoint from) =>
        For(site).MinBy(s => s.Position.DistanceTo(from))!;
}
