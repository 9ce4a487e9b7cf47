using System.Diagnostics;
using CsCheck;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Xunit.Abstractions;

namespace Telemetry.Fuzz.Tests;

/// <summary>
/// One million random and mutated topics and payloads through topic parsing and the decoder: nothing
/// throws, and whatever comes out is strict line protocol with one line per point and no injected tag or field.
/// </summary>
public sealed class DecoderFuzzTests(ITestOutputHelper output)
{
    internal const long Now = 1795593600000; // 2026-11-25T08:00:00Z
    internal static readonly SignalCatalogue Catalogue = SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json"));
    internal static readonly DecoderOptions Options = new();

    /// <summary>Inputs per fuzz test: a million, or FUZZ_ITERATIONS.</summary>
    internal static readonly long Iterations = long.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out var n) ? n : 1_000_000;

    [Fact]
    public void A_million_hostile_inputs_never_throw_and_always_give_strict_line_protocol_with_only_contract_tags_and_fields()
    {
        var oracle = new ContractOracle(Catalogue, Now, Options);
        var perThread = new ThreadLocal<(PayloadDecoder Decoder, LineBuffer Output)>(() => (new PayloadDecoder(Catalogue, Options), new LineBuffer(1 << 20)));
        long points = 0, rejectedWhole = 0;
        var stopwatch = Stopwatch.StartNew();

        new FuzzInputs(Catalogue, Now).Case.Sample(c =>
        {
            var (decoder, buffer) = perThread.Value;
            buffer.Clear();
            var sink = new CountingSink();
            var outcome = decoder.Decode(c.Topic, c.Payload, retained: false, Now, buffer, ref sink);
            oracle.Check(c.Topic, outcome, buffer.WrittenSpan);
            if (sink.Points != outcome.Points) throw new ContractViolation($"sink saw {sink.Points} points, outcome says {outcome.Points}");
            Interlocked.Add(ref points, outcome.Points);
            if (outcome.MessageRejection is not null) Interlocked.Increment(ref rejectedWhole);
        }, iter: Iterations, print: c => c.ToString());

        output.WriteLine($"{Iterations:N0} inputs in {stopwatch.Elapsed.TotalSeconds:F1} s: {points:N0} points written, {rejectedWhole:N0} messages rejected whole");
    }
}
