namespace DeviceSim.Physics;

/// <summary>A WGS-84 position, with the flat-earth maths that is accurate enough within a city.</summary>
public readonly record struct GeoPoint(double Lat, double Lon)
{
    private const double MetresPerDegreeLat = 111_320.0;

    /// <summary>The point <paramref name="metres"/> away along <paramref name="headingDeg"/> (0 = north, clockwise).</summary>
    public GeoPoint Move(double metres, double headingDeg)
    {
        double h = headingDeg * Math.PI / 180;
        double dLat = metres * Math.Cos(h) / MetresPerDegreeLat;
        double dLon = metres * Math.Sin(h) / (MetresPerDegreeLat * Math.Cos(Lat * Math.PI / 180));
        return new GeoPoint(Lat + dLat, Lon + dLon);
    }

    public double DistanceTo(GeoPoint other)
    {
        double dy = (other.Lat - Lat) * MetresPerDegreeLat;
        double dx = (other.Lon - Lon) * MetresPerDegreeLat * Math.Cos((Lat + other.Lat) / 2 * Math.PI / 180);
        return Math.Sqrt(dx * dx + dy * dy);
    }

    /// <summary>Heading from here to <paramref name="other"/>, in [0, 360).</summary>
    public double HeadingTo(GeoPoint other)
    {
        double dy = (other.Lat - Lat) * MetresPerDegreeLat;
        double dx = (other.Lon - Lon) * MetresPerDegreeLat * Math.Cos((Lat + other.Lat) / 2 * Math.PI / 180);
        return NormalizeHeading(Math.Atan2(dx, dy) * 180 / Math.PI);
    }

    /// <summary>A random point between <paramref name="minMetres"/> and <paramref name="maxMetres"/> away.</summary>
    public GeoPoint Around(SeededRandom rng, double minMetres, double maxMetres) =>
        Move(rng.Range(minMetres, maxMetres), rng.Range(0, 360));

    public static double NormalizeHeading(double degrees)
    {
        double h = degrees % 360;
        if (h < 0) h += 360;
        return h >= 360 ? 0 : h;
    }

    /// <summary>Signed smallest turn from <paramref name="from"/> to <paramref name="to"/>, in (-180, 180].</summary>
    public static double TurnBetween(double from, double to)
    {
        double d = (to - from) % 360;
        if (d > 180) d -= 360;
        if (d <= -180) d += 360;
        return d;
    }
}
