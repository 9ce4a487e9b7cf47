namespace DeviceSim.Physics;

public enum FuelCellState { Off, Start, Run, Stop, Fault }

/// <summary>
/// A PEM fuel-cell stack with its state machine (off → start → run → stop → off), a polarisation
/// curve for voltage, and the hydrogen it burns: about 50–60 % efficient on the lower heating value.
/// </summary>
public sealed class FuelCellStack
{
    private const double HydrogenKwhPerKg = 33.33;
    private const double StartSeconds = 20, StopSeconds = 25;
    private readonly int _cells;
    private double _timerS;

    public FuelCellStack(double maxPowerKw, int cells)
    {
        MaxPowerKw = maxPowerKw;
        _cells = cells;
    }

    public double MaxPowerKw { get; }
    public FuelCellState State { get; private set; } = FuelCellState.Off;
    public double PowerKw { get; private set; }
    public double TemperatureC { get; private set; } = 30;
    public double H2FlowGps { get; private set; }
    public bool IsOn => State is FuelCellState.Start or FuelCellState.Run;

    public double VoltageV
    {
        get
        {
            if (State == FuelCellState.Off) return 0;
            double load = PowerKw / MaxPowerKw;
            return _cells * (0.95 - 0.30 * load - (State == FuelCellState.Start ? 0.1 : 0));
        }
    }

    public double CurrentA => VoltageV > 1 ? PowerKw * 1000 / VoltageV : 0;

    public string StateName => State switch
    {
        FuelCellState.Off => "off",
        FuelCellState.Start => "start",
        FuelCellState.Run => "run",
        FuelCellState.Stop => "stop",
        _ => "fault",
    };

    public void RequestStart()
    {
        if (State is FuelCellState.Off or FuelCellState.Stop)
        {
            State = FuelCellState.Start;
            _timerS = StartSeconds;
        }
    }

    public void RequestStop()
    {
        if (State is FuelCellState.Start or FuelCellState.Run)
        {
            State = FuelCellState.Stop;
            _timerS = StopSeconds;
        }
    }

    /// <summary>Advances the stack; returns the hydrogen burnt in kg.</summary>
    public double Step(double requestedKw, double ambientC, double dt)
    {
        switch (State)
        {
            case FuelCellState.Start:
                PowerKw = MaxPowerKw * 0.05;
                if ((_timerS -= dt) <= 0) State = FuelCellState.Run;
                break;
            case FuelCellState.Run:
                // The stack follows demand with a ramp limit of ~10 % of rated power per second.
                double target = Math.Clamp(requestedKw, MaxPowerKw * 0.04, MaxPowerKw);
                double ramp = MaxPowerKw * 0.1 * dt;
                PowerKw = Math.Clamp(target, PowerKw - ramp, PowerKw + ramp);
                break;
            case FuelCellState.Stop:
                PowerKw = Math.Max(0, PowerKw - MaxPowerKw * 0.2 * dt);
                if ((_timerS -= dt) <= 0)
                {
                    State = FuelCellState.Off;
                    PowerKw = 0;
                }
                break;
            default:
                PowerKw = 0;
                break;
        }
        double load = PowerKw / MaxPowerKw;
        double efficiency = 0.58 - 0.12 * load;
        double kg = PowerKw > 0 ? PowerKw / (efficiency * HydrogenKwhPerKg) * dt / 3600 : 0;
        H2FlowGps = kg * 1000 / dt;
        double operating = IsOn ? 62 + 12 * load : ambientC;
        TemperatureC = Ambient.Relax(TemperatureC, operating, dt, IsOn ? 240 : 1200);
        return kg;
    }
}
