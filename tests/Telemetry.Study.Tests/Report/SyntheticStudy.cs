using Telemetry.Study.Derived;

namespace Telemetry.Study.Tests.Report;

/// <summary>
/// Study results made up for testing the report: a small mixed fleet over a week with every table filled,
/// seeded so each run is the same. One station id is hostile markup, as a device could send it.
/// </summary>
public static class SyntheticStudy
{
    public const string HostileStationId = "<script>console.error('station')</script>&\"'";
    public const string Zone = "Asia/Bangkok";
    static readonly TimeSpan zoneOffset = TimeSpan.FromHours(7);

    public static StudyResult Empty(DateOnly from, DateOnly to) => new() { From = from, To = to, TimeZone = Zone };

    public static StudyResult Fleet(int seed = 12, int days = 7, int motorcycles = 8)
    {
        var random = new Random(seed);
        var from = new DateOnly(2026, 11, 20);
        var result = new StudyResult { From = from, To = from.AddDays(days), TimeZone = Zone, PointsRead = 1_234_567 };
        string[] stations = ["bkk-st-01", "bkk-st-02", "bkk-st-03", HostileStationId];

        var vehicles = Enumerable.Range(1, motorcycles).Select(i => new VehicleKey("bkk", "emoto", $"EM-{i:000000}"))
            .Concat(Enumerable.Range(1, 2).Select(i => new VehicleKey("ray", "h2bus", $"HB-{i:0000}")))
            .Concat(Enumerable.Range(1, 2).Select(i => new VehicleKey("ray", "h2truck", $"HT-{i:0000}")))
            .Concat(Enumerable.Range(1, 3).Select(i => new VehicleKey("ray", "h2forklift", $"HF-{i:0000}")))
            .ToList();

        foreach (var vehicle in vehicles)
        {
            bool electric = vehicle.Kind == "emoto";
            for (int d = 0; d < days; d++)
            {
                if (vehicle.VehicleId == "EM-000003" && d == 2)
                    continue; // a vehicle silent for a whole day
                var localDate = from.AddDays(d);
                long dayStartMs = new DateTimeOffset(localDate.ToDateTime(TimeOnly.MinValue), zoneOffset).ToUnixTimeMilliseconds();
                int tripCount = random.Next(0, electric ? 7 : 5);
                double dayKm = 0, dayKwh = 0, dayH2 = 0, drivingS = 0;
                for (int t = 0; t < tripCount; t++)
                {
                    double startHour = electric ? 6 + random.NextDouble() * 15 : 5 + random.NextDouble() * 16;
                    long startMs = dayStartMs + (long)(startHour * 3_600_000);
                    double km = electric ? 0.5 + random.NextDouble() * random.NextDouble() * 25 : 2 + random.NextDouble() * 40;
                    double speed = electric ? 12 + random.NextDouble() * 30 : 15 + random.NextDouble() * 35;
                    double durationS = km / speed * 3600;
                    double tempC = 28 + random.NextDouble() * 14;
                    double? kwh = electric ? km * (0.035 + 0.0009 * speed + 0.0006 * (tempC - 30) + random.NextDouble() * 0.01) : null;
                    double? h2 = electric ? null : km * (vehicle.Kind == "h2bus" ? 0.09 : vehicle.Kind == "h2truck" ? 0.12 : 0.05) * (0.9 + random.NextDouble() * 0.2);
                    double socStart = 40 + random.NextDouble() * 60;
                    result.Trips.Add(new Trip(vehicle, startMs, startMs + (long)(durationS * 1000), durationS, km, speed, speed * 1.6,
                        kwh, kwh / km, electric ? socStart : null, electric ? socStart - km : null, h2, h2 is null ? null : 100 * h2 / km,
                        (long)durationS, electric ? tempC : null));
                    dayKm += km;
                    dayKwh += kwh ?? 0;
                    dayH2 += h2 ?? 0;
                    drivingS += durationS;
                }

                int charges = electric && random.Next(3) == 0 ? 1 : 0;
                for (int c = 0; c < charges; c++)
                {
                    long startMs = dayStartMs + (long)((18 + random.NextDouble() * 4) * 3_600_000);
                    double soc = 10 + random.NextDouble() * 50;
                    result.ChargeSessions.Add(new ChargeSession(vehicle, startMs, startMs + 5_400_000, 5400, 1.2, soc, 100));
                }
                int swaps = electric ? random.Next(0, 3) : 0;
                for (int s = 0; s < swaps; s++)
                {
                    long atMs = dayStartMs + (long)((7 + random.NextDouble() * 13) * 3_600_000);
                    result.Swaps.Add(new Swap(vehicle, atMs, $"PK-{random.Next(1000):0000}", $"PK-{random.Next(1000):0000}",
                        92 + random.NextDouble() * 8, 8 + random.NextDouble() * 30, stations[random.Next(stations.Length)]));
                }
                int refuels = !electric && random.Next(2) == 0 ? 1 : 0;
                for (int r = 0; r < refuels; r++)
                {
                    long startMs = dayStartMs + (long)((12 + random.NextDouble() * 6) * 3_600_000);
                    double minutes = vehicle.Kind == "h2forklift" ? 2 + random.NextDouble() * 3 : 8 + random.NextDouble() * 12;
                    result.Refuels.Add(new Refuel(vehicle, startMs, startMs + (long)(minutes * 60_000), minutes * 60,
                        vehicle.Kind == "h2forklift" ? 1.2 : 20 + random.NextDouble() * 10, 10, 70));
                }

                long expected = 20_000 + random.Next(20_000);
                long received = vehicle.VehicleId == "EM-000005" && d == 4 ? expected * 7 / 10 : expected - random.Next(0, expected < 25_000 ? 300 : 20);
                result.VehicleDays.Add(new VehicleDay(vehicle, dayStartMs, localDate, dayKm, tripCount, drivingS,
                    electric ? dayKwh : null, electric && dayKm > 0 ? dayKwh / dayKm : null,
                    electric ? null : dayH2, !electric && dayKm > 0 ? 100 * dayH2 / dayKm : null,
                    charges, swaps, refuels, expected, expected, received, 100.0 * received / expected));
            }
        }
        return result;
    }
}
