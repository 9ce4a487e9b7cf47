using System.Diagnostics;
using CsCheck;
using Google.Protobuf;
using Sparkplug.TestEncoder;
using Telemetry.Contract.Sparkplug;
using Xunit.Abstractions;

namespace Telemetry.Fuzz.Tests.Sparkplug;

/// <summary>
/// The Sparkplug reader against Google.Protobuf's generated parser (<see cref="GoogleProtobufOracle"/>):
/// random valid payloads read the same, field by field; a million hostile payloads never throw, each is
/// answered with a reason, and the reader accepts nothing that protobuf refuses.
/// </summary>
public sealed class SparkplugReaderFuzzTests(ITestOutputHelper output)
{
    private static readonly long Iterations = DecoderFuzzTests.Iterations;
    private static readonly SparkplugLimits Limits = new();

    [Fact]
    public void Random_metrics_of_every_datatype_read_the_same_as_google_protobuf()
    {
        var datatypesSeen = new bool[RandomPayloads.LastDataType + 1];
        Gen.Int.Sample(seed =>
        {
            var payload = new RandomPayloads(new Random(seed)).Payload();
            var bytes = payload.ToByteArray();
            var error = GoogleProtobufOracle.Check(bytes, Limits, exactNested: true);
            if (error != PayloadError.None) throw new ContractViolation($"a valid payload was refused as {error.Name()}");
            foreach (var metric in payload.Metrics)
                if (metric.Datatype <= RandomPayloads.LastDataType) datatypesSeen[metric.Datatype] = true;
        }, iter: 20_000, threads: 1);
        Assert.All(datatypesSeen, Assert.True);
    }

    [Fact]
    public void A_million_hostile_payloads_never_throw_and_each_is_answered_with_a_reason()
    {
        var inputs = new HostilePayloads();
        var answers = new long[PayloadErrors.All.Count];
        var stopwatch = Stopwatch.StartNew();

        Gen.Select(Gen.ULong, Gen.Int[0, 99]).Sample((seed, pick) =>
        {
            var error = GoogleProtobufOracle.Check(inputs.Build(seed, pick), Limits);
            Interlocked.Increment(ref answers[(int)error]);
        }, iter: Iterations, print: c => $"seed={c.Item1} pick={c.Item2}");

        output.WriteLine($"{Iterations:N0} payloads in {stopwatch.Elapsed.TotalSeconds:F1} s: " +
            string.Join(", ", answers.Select((count, i) => $"{PayloadErrors.All[i]} {count:N0}")));
        Assert.Equal(Iterations, answers.Sum());
        // every rule was reached: the generators do what they claim (the rarest, huge arrays, come once in 2,000)
        if (Iterations >= 100_000)
            foreach (var error in Enum.GetValues<PayloadError>())
                Assert.True(answers[(int)error] > 0, $"no payload was answered {error.Name()}");
    }
}
