namespace Telemetry.Study.Derivation;

public static class Geo
{
    private const double EarthRadiusKm = 6371.0088;

    /// <summary>Great-circle distance in km between two WGS 84 positions (haversine, mean Earth radius).</summary>
    public static double HaversineKm(double lat1, double lon1, double lat2, double lon2) =>
        HaversineKm(lat1, lon1, CosLat(lat1), lat2, lon2, CosLat(lat2));

    /// <summary>The same with each point's cos(latitude) given (<see cref="CosLat"/>): a track computes it once per point, not twice.</summary>
    public static double HaversineKm(double lat1, double lon1, double cosLat1, double lat2, double lon2, double cosLat2)
    {
        const double toRad = Math.PI / 180;
        double sinLat = Math.Sin((lat2 - lat1) * toRad / 2), sinLon = Math.Sin((lon2 - lon1) * toRad / 2);
        double a = sinLat * sinLat + cosLat1 * cosLat2 * sinLon * sinLon;
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    public static double CosLat(double latDeg) => Math.Cos(latDeg * (Math.PI / 180));
}
