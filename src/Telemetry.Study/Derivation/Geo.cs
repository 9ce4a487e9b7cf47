namespace Telemetry.Study.Derivation;

public static class Geo
{
    private const double EarthRadiusKm = 6371.0088;

    /// <summary>Great-circle distance in km between two WGS 84 positions (haversine, mean Earth radius).</summary>
    public static double HaversineKm(double lat1, double lon1, double lat2, double lon2)
    {
        const double toRad = Math.PI / 180;
        double dLat = (lat2 - lat1) * toRad;
        double dLon = (lon2 - lon1) * toRad;
        double sinLat = Math.Sin(dLat / 2), sinLon = Math.Sin(dLon / 2);
        double a = sinLat * sinLat + Math.Cos(lat1 * toRad) * Math.Cos(lat2 * toRad) * sinLon * sinLon;
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
