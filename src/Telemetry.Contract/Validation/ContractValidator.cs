using System.Text;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;

namespace Telemetry.Contract.Validation;

/// <summary>What the gateway would do with one message: the lines it writes and the reasons it reports.</summary>
public sealed record ValidationResult(IReadOnlyList<string> Lines, IReadOnlyList<string> Rejections, DecodeOutcome Outcome);

/// <summary>
/// The contract rules as a plain function, for tests and tools (it allocates; the gateway uses
/// <see cref="PayloadDecoder"/> directly). Each rejection is one reason name: one per rejected
/// message or object, and one per dropped field or key of a written object.
/// </summary>
public static class ContractValidator
{
    public static ValidationResult Validate(SignalCatalogue catalogue, string topic, ReadOnlySpan<byte> payload, long nowUnixMs,
        bool retained = false, DecoderOptions? options = null)
    {
        var decoder = new PayloadDecoder(catalogue, options);
        using var output = new LineBuffer(1024);
        var sink = new CollectingSink { Reasons = [] };
        var outcome = decoder.Decode(topic, payload, retained, nowUnixMs, output, ref sink);
        var lines = Encoding.UTF8.GetString(output.WrittenSpan).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new ValidationResult(lines, sink.Reasons, outcome);
    }

    private struct CollectingSink : IDecodeSink
    {
        public List<string> Reasons;
        public void OnPoint(int objectIndex, long seq, long timestampMs) { }
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) => Reasons.Add(reason.Name());
    }
}
