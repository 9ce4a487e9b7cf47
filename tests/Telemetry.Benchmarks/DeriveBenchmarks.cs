using BenchmarkDotNet.Attributes;
using Telemetry.Study.Derivation;
using Telemetry.Study.Derived;

namespace Telemetry.Benchmarks;

/// <summary>
/// The study's derivation alone (no InfluxDB, no JSON): one vehicle's <see cref="VehicleDeriver"/> fed a week of
/// 1 Hz samples held in memory (trips with stops, standing, charging, a pack swap a day) and finished. One
/// operation = one sample; the goal is ≥ 2 M samples/s on one core.
/// </summary>
[MemoryDiagnoser]
public class DeriveBenchmarks
{
    public const int Samples = 7 * 86_400;
    private Sample[] _samples = [];
    private readonly StudySettings _settings = new();
    private LocalDays _days = null!;

    [GlobalSetup]
    public void Setup()
    {
        _days = new LocalDays(TimeZoneInfo.FindSystemTimeZoneById("Asia/Bangkok"));
        _samples = new Sample[Samples];
        long t = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        double odo = 1000, lat = 13.7, soc = 90;
        string[] packs = ["BP-1", "BP-2"];
        var random = new Random(7);
        for (int i = 0; i < Samples; i++)
        {
            int secondOfDay = i % 86_400;
            // Each hour: 35 min of riding with a 2-minute stop in the middle, then 25 min standing; charging at night.
            int minute = secondOfDay / 60 % 60;
            bool night = secondOfDay < 6 * 3600;
            bool moving = !night && minute < 35 && minute is not (17 or 18);
            double speed = moving ? 25 + 10 * random.NextDouble() : 0;
            odo += speed / 3600;
            lat += speed / 3600 / 111.195;
            soc += moving ? -0.002 : night ? 0.004 : 0;
            var s = Sample.At(t + i * 1000L);
            s.Seq = i;
            s.SpeedKmh = speed;
            s.Lat = lat;
            s.Lon = 100.5;
            s.OdoKm = odo;
            s.SocPct = Math.Clamp(soc, 0, 100);
            s.BattV = 72;
            s.BattA = moving ? -15 : night ? 8 : -0.2;
            s.BattTempC = 32;
            s.Ignition = true;
            s.BatteryId = packs[i / 86_400 % 2];
            _samples[i] = s;
        }
    }

    [Benchmark(OperationsPerInvoke = Samples)]
    public int DeriveOneVehicleWeek()
    {
        var deriver = new VehicleDeriver(new VehicleKey("bkk", "emoto", "EM-1"), _settings, _days);
        var samples = _samples;
        for (int i = 0; i < samples.Length; i++) deriver.Add(samples[i]);
        var result = new StudyResult { From = new DateOnly(2026, 11, 20), To = new DateOnly(2026, 11, 28), TimeZone = "Asia/Bangkok" };
        deriver.Finish(long.MinValue, long.MaxValue, result);
        return result.Trips.Count;
    }
}
