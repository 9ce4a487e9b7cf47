namespace DeviceSim.Fleet;

/// <summary>The four kinds of the study, with their topic names, id formats and default sites.</summary>
public static class VehicleKind
{
    public const string EMoto = "emoto", H2Bus = "h2bus", H2Truck = "h2truck", H2Forklift = "h2forklift";

    public static readonly IReadOnlyList<string> All = [EMoto, H2Bus, H2Truck, H2Forklift];

    /// <summary>Stable ids as the fleets number them: EM-000123, BUS-0007, TRK-0003, FL-07.</summary>
    public static string VehicleId(string kind, int number) => kind switch
    {
        EMoto => $"EM-{number:D6}",
        H2Bus => $"BUS-{number:D4}",
        H2Truck => $"TRK-{number:D4}",
        _ => $"FL-{number:D2}",
    };

    /// <summary>Where each kind runs in the study, used round-robin when no sites are given.</summary>
    public static IReadOnlyList<string> DefaultSites(string kind) => kind switch
    {
        EMoto => ["bkk", "bkk", "pathum-thani", "bkk", "amata-chonburi"],
        H2Bus => ["bkk", "pathum-thani"],
        H2Truck => ["laem-chabang", "map-ta-phut", "amata-chonburi"],
        _ => ["amata-chonburi", "laem-chabang", "pathum-thani", "map-ta-phut"],
    };
}
