using System.Text;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Validation;
using DeviceSim.Manifest;

namespace DeviceSim.Tests;

/// <summary>What the simulator sends, checked against the gateway's own rules (ContractValidator).</summary>
public class ContractConformanceTests
{
    private static readonly SignalCatalogue Catalogue = SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json"));
    private static readonly long Now = SimulatedRun.End.ToUnixTimeMilliseconds();

    private sealed record Validated(Dictionary<string, long> Points, long Distinct, Dictionary<string, long> Rejections, List<string> Problems);

    private static Validated ValidateAll(SimulatedRun run)
    {
        var points = new Dictionary<string, long> { ["telemetry"] = 0, ["events"] = 0, ["status"] = 0 };
        var rejections = new Dictionary<string, long>();
        var distinct = new HashSet<string>();
        var problems = new List<string>();
        foreach (var line in run.Lines)
        {
            var result = ContractValidator.Validate(Catalogue, line.Topic, Encoding.UTF8.GetBytes(line.Payload), Now);
            foreach (var reason in result.Rejections)
            {
                rejections[reason] = rejections.GetValueOrDefault(reason) + 1;
                if (problems.Count < 5) problems.Add($"{reason}: {line.Topic} {line.Payload}");
            }
            foreach (var lp in result.Lines)
            {
                string measurement = lp[..lp.IndexOf(',')];
                points[measurement]++;
                // Series = measurement + tags; the point's identity is series + time.
                distinct.Add(lp[..lp.IndexOf(' ')] + " " + lp[(lp.LastIndexOf(' ') + 1)..]);
            }
        }
        return new Validated(points, distinct.Count, rejections, problems);
    }

    [Fact]
    public async Task Every_message_of_a_clean_day_is_accepted_whole()
    {
        var run = await SimulatedRun.RunAsync(SimulatedRun.Options(emoto: 8, bus: 2, truck: 2, forklift: 3, span: "24h", batch: 1));
        var v = ValidateAll(run);

        Assert.True(v.Rejections.Count == 0, string.Join("\n", v.Problems));
        var m = run.Result.Manifest;
        Assert.Equal(m.Points["telemetry"], v.Points["telemetry"]);
        Assert.Equal(m.Points["events"], v.Points["events"]);
        Assert.Equal(m.Points["status"], v.Points["status"]);
        Assert.Equal(m.DistinctTotal, v.Distinct);
        Assert.Equal(run.Lines.Count, m.Messages);
    }

    [Fact]
    public async Task Batched_messages_are_accepted_whole()
    {
        var run = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "8h", batch: 10));
        var v = ValidateAll(run);

        Assert.True(v.Rejections.Count == 0, string.Join("\n", v.Problems));
        Assert.Equal(run.Result.Manifest.Points["telemetry"], v.Points["telemetry"]);
        Assert.Contains(run.Lines, l => l.Payload.StartsWith('['));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Injected_faults_are_rejected_for_the_reasons_the_manifest_gives(int batch)
    {
        var run = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "12h", faults: "0.02", batch: batch));
        var v = ValidateAll(run);
        var m = run.Result.Manifest;

        foreach (var reason in ManifestWriter.ReasonNames)
            Assert.True(m.Rejections.GetValueOrDefault(reason) == v.Rejections.GetValueOrDefault(reason),
                $"{reason}: manifest {m.Rejections.GetValueOrDefault(reason)}, validator {v.Rejections.GetValueOrDefault(reason)}");
        Assert.Equal(m.Points["telemetry"], v.Points["telemetry"]);
        Assert.Equal(m.Points["events"], v.Points["events"]);
        Assert.Equal(m.Points["status"], v.Points["status"]);
        Assert.Equal(m.DistinctTotal, v.Distinct);

        // Every kind of payload fault actually happened, and duplicates made distinct < points.
        foreach (var reason in new[] { "bad_json", "field_invalid", "unknown_key", "no_fields", "duplicate_field", "ts_out_of_range", "bad_topic" })
            Assert.True(v.Rejections.GetValueOrDefault(reason) > 0, $"no {reason} was injected");
        Assert.True(m.DistinctTotal < m.PointsTotal);
        Assert.True(run.Result.Faults.Count >= 12);
    }
}
