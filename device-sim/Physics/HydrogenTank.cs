namespace DeviceSim.Physics;

/// <summary>
/// Compressed hydrogen storage: mass, gas temperature and pressure. Pressure follows the mass and the
/// absolute temperature (ideal gas scaled to the nominal working pressure at 15 °C, which is how
/// dispensers rate a full fill). Fast fills heat the gas; it cools back towards ambient.
/// </summary>
public sealed class HydrogenTank
{
    private const double RatedTemperatureK = 288.15;

    public HydrogenTank(double capacityKg, double nominalPressureMpa, double massKg, double temperatureC)
    {
        CapacityKg = capacityKg;
        NominalPressureMpa = nominalPressureMpa;
        MassKg = massKg;
        TemperatureC = temperatureC;
    }

    public double CapacityKg { get; }
    public double NominalPressureMpa { get; }
    public double MassKg { get; private set; }
    public double TemperatureC { get; private set; }
    public double FillFraction => MassKg / CapacityKg;
    public double PressureMpa => NominalPressureMpa * FillFraction * (TemperatureC + 273.15) / RatedTemperatureK;

    /// <summary>Takes <paramref name="kg"/> out (never below a small heel the valve keeps).</summary>
    public void Draw(double kg) => MassKg = Math.Max(CapacityKg * 0.02, MassKg - kg);

    /// <summary>Adds mass during a fill; the compression heats the gas.</summary>
    public void Fill(double kg)
    {
        MassKg = Math.Min(CapacityKg, MassKg + kg);
        TemperatureC = Math.Min(80, TemperatureC + 18 * kg / (CapacityKg * 0.6));
    }

    public void Relax(double ambientC, double dt) => TemperatureC = Ambient.Relax(TemperatureC, ambientC, dt, 1800);
}
