namespace DeviceSim.Physics;

/// <summary>Thai lowland weather, good enough for thermal models: 24 °C before dawn, 34 °C mid-afternoon.</summary>
public static class Ambient
{
    public static double TemperatureC(double localHour) => 29 + 5 * Math.Sin(2 * Math.PI * (localHour - 9) / 24);

    /// <summary>First-order thermal model: moves <paramref name="current"/> towards <paramref name="target"/> with time constant <paramref name="tauS"/>.</summary>
    public static double Relax(double current, double target, double dt, double tauS) =>
        current + (target - current) * (1 - Math.Exp(-dt / tauS));
}
