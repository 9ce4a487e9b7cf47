namespace Telemetry.Study.Derived;

/// <summary>Everything one study run derived, per table; the report and the exports read it.</summary>
public sealed class StudyResult
{
    public required DateOnly From { get; init; }
    /// <summary>Exclusive.</summary>
    public required DateOnly To { get; init; }
    public required string TimeZone { get; init; }
    public List<Trip> Trips { get; } = [];
    public List<ChargeSession> ChargeSessions { get; } = [];
    public List<Swap> Swaps { get; } = [];
    public List<Refuel> Refuels { get; } = [];
    public List<VehicleDay> VehicleDays { get; } = [];
    /// <summary>Telemetry points read from InfluxDB.</summary>
    public long PointsRead { get; set; }
    /// <summary>Derived points written back (0 without --write-back).</summary>
    public long PointsWritten { get; set; }
    /// <summary>Of <see cref="WallSeconds"/>, the time spent waiting for InfluxDB's answers.</summary>
    public double QueryWaitSeconds { get; set; }
    public double WallSeconds { get; set; }
}
