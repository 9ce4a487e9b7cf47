using System.Text;
using System.Text.RegularExpressions;
using DeviceSim.Fleet;
using DeviceSim.Manifest;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Validation;

namespace DeviceSim.Tests;

/// <summary>The manifest's ground truth: what the study must find, checked against what was sent and what the vehicles did.</summary>
public partial class GroundTruthTests
{
    private static readonly SignalCatalogue Catalogue = SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json"));

    [GeneratedRegex(@"vehicle_id=([^ ,]+) .*\bseq=(\d+)i.* (\d+)$")]
    private static partial Regex TelemetryLine();

    [Fact]
    public async Task Completeness_per_vehicle_day_is_what_the_written_points_give()
    {
        // Two local days and a bit, with every fault (seq gaps, rejected objects and messages, duplicates, late ones).
        var run = await SimulatedRun.RunAsync(SimulatedRun.Options(emoto: 4, bus: 1, truck: 1, forklift: 1, span: "50h", faults: "0.02"));
        long now = SimulatedRun.End.ToUnixTimeMilliseconds();
        var written = new Dictionary<(string Vehicle, DateOnly Day), HashSet<uint>>();
        foreach (var line in run.Lines)
        {
            var result = ContractValidator.Validate(Catalogue, line.Topic, Encoding.UTF8.GetBytes(line.Payload), now);
            foreach (var lp in result.Lines.Where(l => l.StartsWith("telemetry,", StringComparison.Ordinal)))
            {
                var match = TelemetryLine().Match(lp);
                Assert.True(match.Success, lp);
                var key = (match.Groups[1].Value, ManifestRecorder.LocalDate(long.Parse(match.Groups[3].Value)));
                if (!written.TryGetValue(key, out var seqs)) written[key] = seqs = [];
                seqs.Add(uint.Parse(match.Groups[2].Value));
            }
        }

        var days = run.Result.Manifest.Vehicles.SelectMany(a => a.Days.Select(d => (Key: (a.Spec.Id, d.Key), Seq: d.Value))).ToList();
        Assert.Equal(written.Keys.Order(), days.Where(d => d.Seq.Written.Count > 0).Select(d => d.Key).Order());
        foreach (var (key, seq) in days.Where(d => d.Seq.Written.Count > 0))
        {
            var received = written[key];
            Assert.Equal(received.Count, seq.Written.Count);
            Assert.Equal((long)received.Max() - received.Min() + 1, seq.Expected);
            Assert.Equal(seq.Issued, seq.Written.Count + seq.Dropped + seq.Rejected);
        }
        Assert.True(days.Sum(d => d.Seq.Dropped) > 0 && days.Sum(d => d.Seq.Rejected) > 0, "the run should lose samples both ways");
        Assert.True(days.Select(d => d.Key.Item2).Distinct().Count() >= 3, "the span should cover three local days");
    }

    [Fact]
    public async Task Trips_swaps_and_refuels_agree_with_what_the_vehicles_did()
    {
        var run = await SimulatedRun.RunAsync(SimulatedRun.Options(emoto: 8, bus: 1, truck: 1, forklift: 2, span: "36h"));
        var truth = run.Result.Manifest.Truth;
        var vehicles = run.Result.Vehicles;
        var rules = truth.Rules;

        foreach (var trip in truth.Trips)
            Assert.True(trip.EndMs - trip.StartMs >= rules.MinTripMs || trip.DistanceKm >= rules.MinTripKm - 0.01, $"{trip} is below both thresholds");
        foreach (var kind in VehicleKind.All)
        {
            var ofKind = vehicles.Where(v => v.Spec.Kind == kind).ToList();
            var trips = truth.Trips.Where(t => vehicles[t.Vehicle].Spec.Kind == kind).ToList();
            double simulatedKm = ofKind.Sum(v => v.Tally.DistanceKm), tripKm = trips.Sum(t => t.DistanceKm ?? 0);
            // The trips' spans run from the first to the last moving sample: a little of each trip's start and end is outside.
            Assert.InRange(tripKm, simulatedKm * 0.97, simulatedKm + 1e-6);
            if (kind == VehicleKind.EMoto)
            {
                Assert.All(trips, t => Assert.Null(t.H2Kg));
                Assert.InRange(trips.Count, ofKind.Sum(v => v.Tally.Trips) * 0.9, ofKind.Sum(v => v.Tally.Trips) * 1.1);
                double whPerKm = trips.Sum(t => t.EnergyKwh) / tripKm * 1000;
                Assert.InRange(whPerKm, 20, 40);
            }
            else
            {
                double burnt = ofKind.Sum(v => v.Tally.H2UsedKg), inTrips = trips.Sum(t => t.H2Kg!.Value);
                Assert.InRange(inTrips, 0.5 * burnt, burnt + 1e-9);
                Assert.DoesNotContain(truth.ChargeSessions, c => vehicles[c.Vehicle].Spec.Kind == kind);
            }
        }

        Assert.Equal(vehicles.Sum(v => v.Tally.Swaps), truth.Swaps.Count);
        Assert.True(truth.Swaps.Count > 0);
        Assert.All(truth.Swaps, s => Assert.NotEqual(s.Facts.BatteryIn, s.Facts.BatteryOut));
        Assert.Equal(vehicles.Sum(v => v.Tally.Refuels), truth.Refuels.Count);
        Assert.Equal(vehicles.Sum(v => v.Tally.RefuelledKg), truth.Refuels.Sum(r => r.H2Kg), 6);
        Assert.All(truth.Refuels, r => Assert.True(r.EndMs > r.StartMs && r.PressureEndMpa > r.PressureStartMpa, r.ToString()));
        Assert.All(truth.ChargeSessions, c => Assert.True(c.EnergyKwh > 0 && c.SocEndPct > c.SocStartPct, c.ToString()));
    }
}
