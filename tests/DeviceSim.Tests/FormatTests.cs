using System.Text.Json;
using DeviceSim.Formats;
using DeviceSim.Manifest;

namespace DeviceSim.Tests;

/// <summary>The same fleet in every format: the same values on the wire, the same faults, the same ground truth.</summary>
public class FormatTests
{
    private const string CommonFaults = "truncated=0.02,wrong_type=0.02,out_of_range=0.02,unknown_key=0.02,no_fields=0.02,duplicate_field=0.02," +
                                        "stale_ts=0.02,bad_topic=0.02,duplicate=0.02,out_of_order=0.02,late=0.02,seq_gap=0.02,clock_skew=0.3";

    private static DecodedTelemetry Decode(SimulatedRun run, PayloadFormat format) => format switch
    {
        PayloadFormat.Json => DecodedTelemetry.FromJson(run),
        PayloadFormat.Sparkplug => DecodedTelemetry.FromSparkplug(run),
        PayloadFormat.Senml => DecodedTelemetry.FromSenml(run, cbor: false),
        _ => DecodedTelemetry.FromSenml(run, cbor: true),
    };

    [Theory]
    [InlineData(PayloadFormat.Sparkplug, 1)]
    [InlineData(PayloadFormat.Sparkplug, 3)]
    [InlineData(PayloadFormat.Senml, 1)]
    [InlineData(PayloadFormat.Senml, 3)]
    [InlineData(PayloadFormat.SenmlCbor, 1)]
    [InlineData(PayloadFormat.SenmlCbor, 3)]
    public async Task Every_sample_carries_the_values_the_json_run_carries(PayloadFormat format, int batch)
    {
        var json = await SimulatedRun.RunAsync(SimulatedRun.Options(emoto: 3, bus: 1, truck: 1, forklift: 2, span: "4h", batch: batch));
        var other = await SimulatedRun.RunAsync(SimulatedRun.Options(emoto: 3, bus: 1, truck: 1, forklift: 2, span: "4h", batch: batch, format: format));

        var expected = Decode(json, PayloadFormat.Json).Samples;
        var actual = Decode(other, format).Samples;
        Assert.True(expected.Count > 1000);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, sample) in expected)
        {
            Assert.Equal(sample.Keys.Order(), actual[key].Keys.Order());
            foreach (var (name, value) in sample) Assert.True(value.Equals(actual[key][name]), $"{key} {name}: {value} in JSON, {actual[key][name]} in {format.Name()}");
        }
        Assert.Equal(json.Result.Manifest.Points["telemetry"], other.Result.Manifest.Points["telemetry"]);
        Assert.Equal(0, other.Result.Manifest.Rejections.Values.Sum());
    }

    [Theory]
    [InlineData(PayloadFormat.Sparkplug)]
    [InlineData(PayloadFormat.Senml)]
    [InlineData(PayloadFormat.SenmlCbor)]
    public async Task The_faults_and_the_ground_truth_do_not_depend_on_the_format(PayloadFormat format)
    {
        var json = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "12h", faults: CommonFaults, batch: 2));
        var other = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "12h", faults: CommonFaults, batch: 2, format: format));

        Assert.Equal(json.Result.Faults.OrderBy(p => p.Key), other.Result.Faults.OrderBy(p => p.Key));
        Assert.Equal(Truth(json), Truth(other));
        Assert.Equal(json.Result.Manifest.Points["telemetry"], other.Result.Manifest.Points["telemetry"]);
        Assert.Equal(json.Result.Manifest.Points["events"], other.Result.Manifest.Points["events"]);
        // The same rejections, but a cut payload that is not JSON is bad_payload.
        var expected = json.Result.Manifest.Rejections.ToDictionary();
        if (format is PayloadFormat.Sparkplug or PayloadFormat.SenmlCbor) expected["bad_payload"] = expected.Remove("bad_json", out long cut) ? cut : 0;
        Assert.Equal(expected.OrderBy(p => p.Key), other.Result.Manifest.Rejections.OrderBy(p => p.Key));
    }

    [Theory]
    [InlineData(PayloadFormat.Senml, "bad_json")]
    [InlineData(PayloadFormat.SenmlCbor, "bad_payload")]
    [InlineData(PayloadFormat.Sparkplug, "bad_payload")]
    public async Task Every_cut_payload_is_unreadable_to_an_independent_decoder_and_no_other_is(PayloadFormat format, string reason)
    {
        var run = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "12h", faults: "truncated=0.05,bad_topic=0.02,unknown_key=0.02", format: format));
        long cut = run.Result.Manifest.Rejections.GetValueOrDefault(reason);
        Assert.True(cut > 20);
        Assert.Equal(cut, run.Result.Faults[Faults.FaultKind.Truncated]);
        Assert.Equal(cut, Decode(run, format).Unreadable);
    }

    [Fact]
    public void Sparkplug_only_faults_are_refused_in_other_formats_by_name_and_dropped_from_a_blanket_fraction()
    {
        var e = Assert.Throws<Cli.UsageException>(() => Cli.CommandLine.Parse(["--faults", "unknown_alias=0.01", "--out", "-"]));
        Assert.Contains("unknown_alias", e.Message);
        Assert.Contains("--format sparkplug", e.Message);
        var options = Cli.CommandLine.Parse(["--faults", "0.01", "--format", "senml", "--out", "-"]);
        Assert.Equal(0, options.Faults.For(options.Format)[Faults.FaultKind.UnknownAlias]);
        Assert.Equal(0.01, options.Faults.For(PayloadFormat.Sparkplug)[Faults.FaultKind.UnknownAlias]);
        Assert.Throws<Cli.UsageException>(() => Cli.CommandLine.Parse(["--format", "sparkplug", "--connections", "4"]));
        Assert.Throws<Cli.UsageException>(() => Cli.CommandLine.Parse(["--format", "protobuf"]));
    }

    /// <summary>The manifest's truth section, as written.</summary>
    private static string Truth(SimulatedRun run)
    {
        string path = Path.Combine(Path.GetTempPath(), $"device-sim-truth-{Guid.NewGuid():N}.json");
        try
        {
            ManifestWriter.Write(path, run.Result);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.GetProperty("truth").GetRawText();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
