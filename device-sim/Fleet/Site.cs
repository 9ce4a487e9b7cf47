using DeviceSim.Physics;

namespace DeviceSim.Fleet;

/// <summary>A place vehicles operate from: the topic's <c>site</c> segment and real coordinates.</summary>
public sealed record Site(string Name, string Code, GeoPoint Centre, double AltitudeM, string Description)
{
    public static readonly IReadOnlyList<Site> Known =
    [
        new("bkk", "BKK", new GeoPoint(13.7563, 100.5018), 2, "Bangkok, Pathum Wan"),
        new("pathum-thani", "PTT", new GeoPoint(14.0208, 100.5250), 4, "Pathum Thani, near Navanakorn industrial estate"),
        new("amata-chonburi", "AMC", new GeoPoint(13.4190, 101.0150), 40, "Amata City Chonburi industrial estate"),
        new("laem-chabang", "LCB", new GeoPoint(13.0830, 100.8830), 5, "Laem Chabang deep-sea port"),
        new("map-ta-phut", "MTP", new GeoPoint(12.6870, 101.1560), 8, "Map Ta Phut industrial estate, Rayong"),
    ];

    public static Site? Find(string name) => Known.FirstOrDefault(s => s.Name == name);
}
