namespace DeviceSim.Physics;

/// <summary>Road-load model: the power at the wheels for a given speed and acceleration.</summary>
public sealed record Traction(double MassKg, double RollingResistance, double DragAreaM2, double DrivetrainEfficiency, double RegenFraction)
{
    private const double Gravity = 9.81;
    private const double AirDensity = 1.18;

    /// <summary>Electrical power drawn by the motor in kW (negative when regenerating).</summary>
    public double MotorPowerKw(double speedMs, double accelMs2, double extraMassKg = 0)
    {
        double mass = MassKg + extraMassKg;
        double force = (speedMs > 0.1 ? mass * Gravity * RollingResistance : 0)
            + 0.5 * AirDensity * DragAreaM2 * speedMs * speedMs
            + mass * accelMs2;
        double wheelKw = force * speedMs / 1000;
        return wheelKw >= 0 ? wheelKw / DrivetrainEfficiency : wheelKw * RegenFraction;
    }
}
