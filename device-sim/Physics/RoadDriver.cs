namespace DeviceSim.Physics;

/// <summary>How a kind of vehicle is driven: speeds, accelerations, stop-and-go.</summary>
public sealed record DrivingStyle(
    double CruiseKmh,
    double MaxAccelMs2,
    double MaxBrakeMs2,
    double MaxYawRateDps,
    double MeanStopSpacingM,
    double MeanStopSeconds,
    double SegmentLengthM = 350,
    double LateralJitterM = 25);

/// <summary>
/// Drives a vehicle along a street-grid-like path to a destination: accelerates, cruises,
/// slows for turns, stops at traffic lights, and steers with a limited yaw rate so the heading
/// follows the motion. One step per simulated second is enough for these speeds.
/// </summary>
public sealed class RoadDriver
{
    private readonly DrivingStyle _style;
    private readonly List<GeoPoint> _path = [];
    private int _next;
    private double _untilStopM;
    private double _stopTimerS;
    private double _cruiseMs;

    public RoadDriver(DrivingStyle style, GeoPoint start, double headingDeg)
    {
        _style = style;
        Position = start;
        HeadingDeg = headingDeg;
    }

    public GeoPoint Position { get; private set; }
    public double HeadingDeg { get; private set; }
    public double SpeedMs { get; private set; }
    public double AccelLongMs2 { get; private set; }
    public double AccelLatMs2 { get; private set; }
    public double YawRateDps { get; private set; }
    public bool Arrived => _next >= _path.Count;
    public double SpeedKmh => SpeedMs * 3.6;

    /// <summary>Plans a path: along one axis, then the other, in segments with a little lateral wander.</summary>
    public void DriveTo(GeoPoint destination, SeededRandom rng, double cruiseFactor = 1.0)
    {
        _path.Clear();
        _next = 0;
        var corner = rng.Chance(0.5)
            ? new GeoPoint(destination.Lat, Position.Lon)
            : new GeoPoint(Position.Lat, destination.Lon);
        AddLeg(Position, corner, rng);
        AddLeg(corner, destination, rng);
        _path.Add(destination);
        _cruiseMs = _style.CruiseKmh / 3.6 * cruiseFactor * rng.Range(0.85, 1.1);
        _untilStopM = rng.Exponential(_style.MeanStopSpacingM);
    }

    private void AddLeg(GeoPoint from, GeoPoint to, SeededRandom rng)
    {
        double length = from.DistanceTo(to);
        int segments = (int)(length / _style.SegmentLengthM);
        double heading = from.HeadingTo(to);
        for (int i = 1; i <= segments; i++)
        {
            var along = from.Move(length * i / (segments + 1), heading);
            _path.Add(along.Move(rng.Range(-_style.LateralJitterM, _style.LateralJitterM), heading + 90));
        }
        if (length > 1) _path.Add(to);
    }

    /// <summary>Stands still (engine off or parked); clears any path.</summary>
    public void Park()
    {
        _path.Clear();
        _next = 0;
        SpeedMs = 0;
        AccelLongMs2 = 0;
        AccelLatMs2 = 0;
        YawRateDps = 0;
    }

    /// <summary>Advances <paramref name="dt"/> seconds; returns the metres travelled.</summary>
    public double Step(double dt, SeededRandom rng)
    {
        if (Arrived)
        {
            Park();
            return 0;
        }
        var target = _path[_next];
        double toWaypoint = Position.DistanceTo(target);
        double toEnd = toWaypoint + RemainingAfterNext();

        double targetSpeed = _cruiseMs;
        if (_stopTimerS > 0)
        {
            _stopTimerS -= dt;
            targetSpeed = 0;
        }
        else
        {
            // Slow down for a sharp turn at the next waypoint, and to stop at the destination or a red light.
            if (_next + 1 < _path.Count)
            {
                double turn = Math.Abs(GeoPoint.TurnBetween(Position.HeadingTo(target), target.HeadingTo(_path[_next + 1])));
                if (toWaypoint < 60) targetSpeed = Math.Min(targetSpeed, _cruiseMs * (1 - 0.65 * Math.Min(turn, 90) / 90));
            }
            double brakeTo = Math.Min(toEnd, _untilStopM);
            targetSpeed = Math.Min(targetSpeed, Math.Sqrt(2 * _style.MaxBrakeMs2 * 0.8 * Math.Max(brakeTo - 2, 0)));
            if (_untilStopM <= 3 && SpeedMs < 0.5)
            {
                _stopTimerS = rng.Exponential(_style.MeanStopSeconds);
                _untilStopM = rng.Exponential(_style.MeanStopSpacingM) + 50;
            }
        }

        double wanted = (targetSpeed - SpeedMs) / dt;
        double accel = Math.Clamp(wanted, -_style.MaxBrakeMs2, _style.MaxAccelMs2 * (1 - 0.5 * SpeedMs / Math.Max(_cruiseMs, 1)));
        // Drivers do not jump between full throttle and full brake: smooth the demand.
        AccelLongMs2 = 0.6 * accel + 0.4 * AccelLongMs2;
        if (Math.Abs(AccelLongMs2) > Math.Abs(wanted)) AccelLongMs2 = wanted;
        double newSpeed = Math.Max(0, SpeedMs + AccelLongMs2 * dt);
        double distance = (SpeedMs + newSpeed) / 2 * dt;
        SpeedMs = newSpeed;

        // Steer towards the waypoint with a limited yaw rate; a standing vehicle cannot turn.
        double turnWanted = GeoPoint.TurnBetween(HeadingDeg, Position.HeadingTo(target));
        double maxTurn = _style.MaxYawRateDps * dt * Math.Min(1, SpeedMs / 3);
        double turnNow = Math.Clamp(turnWanted, -maxTurn, maxTurn);
        HeadingDeg = GeoPoint.NormalizeHeading(HeadingDeg + turnNow);
        YawRateDps = turnNow / dt;
        AccelLatMs2 = SpeedMs * YawRateDps * Math.PI / 180;

        if (distance > 0)
        {
            Position = Position.Move(Math.Min(distance, toWaypoint + 0.5), HeadingDeg);
            _untilStopM -= distance;
        }
        if (Position.DistanceTo(target) < Math.Max(6, distance * 1.2))
        {
            _next++;
            if (Arrived) Park();
        }
        return distance;
    }

    private double RemainingAfterNext()
    {
        double sum = 0;
        for (int i = _next; i + 1 < _path.Count; i++) sum += _path[i].DistanceTo(_path[i + 1]);
        return sum;
    }
}
