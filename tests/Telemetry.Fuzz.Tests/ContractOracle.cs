using System.Globalization;
using System.Text;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;

namespace Telemetry.Fuzz.Tests;

/// <summary>
/// What the decoder's output must satisfy for any input, checked independently of the decoder's own
/// code: the topic rules re-implemented from the wire contract, and the output read back with
/// <see cref="StrictLineProtocol"/>. Throws with a description on the first violation.
/// </summary>
public sealed class ContractOracle(SignalCatalogue catalogue, long nowMs, DecoderOptions options)
{
    private readonly Dictionary<string, KindDefinition> _kinds = catalogue.Kinds.ToDictionary(k => k.Name);
    private readonly HashSet<string> _eventTypes = catalogue.EventTypes.ToHashSet();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<FieldSet, Dictionary<string, SignalDefinition>> _signals = new();

    public void Check(string topic, DecodeOutcome outcome, ReadOnlySpan<byte> output)
    {
        var lines = StrictLineProtocol.ParseAll(output);
        if (lines.Count != outcome.Points) Fail($"{lines.Count} lines but outcome.Points = {outcome.Points}");
        if (outcome.MessageRejection is not null && lines.Count != 0) Fail("a rejected message wrote lines");

        if (!TryParseTopic(topic, out var site, out var kind, out var vehicleId, out var stream))
        {
            if (outcome.MessageRejection != RejectReason.BadTopic) Fail($"topic '{Printable(topic)}' is not in the contract but was not bad_topic");
            return;
        }
        if (outcome.MessageRejection == RejectReason.BadTopic) Fail($"topic '{Printable(topic)}' is valid but was bad_topic");

        string topicStream = stream;
        foreach (var line in lines)
        {
            // Line protocol names the measurement line by line; every other stream has one.
            stream = topicStream != "lp" ? topicStream : line.Measurement switch
            {
                "telemetry" => "telemetry",
                "events" => "event",
                "status" => "status",
                _ => throw new ContractViolation($"measurement {line.Measurement} on stream lp"),
            };
            var fields = stream switch { "telemetry" => kind.Telemetry, "event" => catalogue.EventFields, _ => catalogue.StatusFields };
            var signals = _signals.GetOrAdd(fields, f => f.Signals.ToDictionary(s => s.Key));
            string measurement = stream switch { "telemetry" => "telemetry", "event" => "events", _ => "status" };
            if (line.Measurement != measurement) Fail($"measurement {line.Measurement} for stream {stream}");
            var expectedTags = new List<(string, string)> { ("kind", kind.Name), ("site", site) };
            if (stream == "event")
            {
                if (line.Tags.Count != 4 || line.Tags[2].Key != "type" || !_eventTypes.Contains(line.Tags[2].Value))
                    Fail($"event tags {string.Join(",", line.Tags)}");
                expectedTags.Add(line.Tags[2]);
            }
            expectedTags.Add(("vehicle_id", vehicleId));
            if (!line.Tags.SequenceEqual(expectedTags)) Fail($"tags {string.Join(",", line.Tags)} are not exactly {string.Join(",", expectedTags)}");

            var seen = new HashSet<string>();
            foreach (var field in line.Fields)
            {
                if (!seen.Add(field.Key)) Fail($"field {field.Key} twice in one line");
                if (field.Key == "seq") CheckInteger(field, 0, uint.MaxValue);
                else if (field.Key == "n" && stream == "event" && !signals.ContainsKey("n")) { if (field.Text != "1" || field.Kind != FieldKind.Integer || line.Fields.Count != 1) Fail("n is not the lone 1i"); }
                else if (!signals.TryGetValue(field.Key, out var signal)) Fail($"field key '{Printable(field.Key)}' is not in the catalogue for {kind.Name}/{stream}");
                else CheckValue(field, signal);
            }
            if (line.Timestamp < nowMs - (long)options.MaxAge.TotalMilliseconds || line.Timestamp > nowMs + (long)options.MaxFuture.TotalMilliseconds)
                Fail($"timestamp {line.Timestamp} outside the window");
        }
    }

    private static void CheckValue(ParsedField field, SignalDefinition signal)
    {
        switch (signal.Type)
        {
            case SignalType.Float:
                if (field.Kind != FieldKind.Float) Fail($"{field.Key} is {field.Kind}, catalogue says float");
                double d = double.Parse(field.Text, CultureInfo.InvariantCulture);
                if (d < signal.Min || d > signal.Max) Fail($"{field.Key}={field.Text} outside {signal.Min}..{signal.Max}");
                break;
            case SignalType.Int:
                CheckInteger(field, signal.Min, signal.Max);
                break;
            case SignalType.Bool:
                if (field.Kind != FieldKind.Bool) Fail($"{field.Key} is {field.Kind}, catalogue says bool");
                break;
            default:
                if (field.Kind != FieldKind.String) Fail($"{field.Key} is {field.Kind}, catalogue says string");
                if (signal.AllowedValues is { Count: > 0 } allowed && !allowed.Contains(field.Text)) Fail($"{field.Key}='{Printable(field.Text)}' not an allowed value");
                if (field.Text.EnumerateRunes().Count() > signal.MaxLength) Fail($"{field.Key} longer than {signal.MaxLength}");
                break;
        }
    }

    private static void CheckInteger(ParsedField field, double min, double max)
    {
        if (field.Kind != FieldKind.Integer) Fail($"{field.Key} is {field.Kind}, expected an integer");
        long value = long.Parse(field.Text, CultureInfo.InvariantCulture);
        if (value < min || value > max) Fail($"{field.Key}={value} outside {min}..{max}");
    }

    /// <summary>The wire contract's section 1 (6: SenML streams are telemetry; 7: <c>lp</c> names its measurements), written from the spec rather than from TopicParser.</summary>
    private bool TryParseTopic(string topic, out string site, out KindDefinition kind, out string vehicleId, out string stream)
    {
        var parts = topic.Split('/');
        site = vehicleId = stream = "";
        kind = null!;
        if (parts.Length != 5 || parts[0] != "fleet") return false;
        (site, vehicleId, stream) = (parts[1], parts[3], parts[4]);
        return site.Length is >= 1 and <= 32 && site.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            && _kinds.TryGetValue(parts[2], out kind!)
            && vehicleId.Length is >= 1 and <= 64 && vehicleId.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '-')
            && (stream = stream is "senml" or "senml-cbor" ? "telemetry" : stream) is "telemetry" or "event" or "status" or "lp";
    }

    private static string Printable(string s) => s.Length > 80 ? Escape(s[..80]) + "…" : Escape(s);
    private static string Escape(string s) => string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    private static void Fail(string message) => throw new ContractViolation(message);
}

public sealed class ContractViolation(string message) : Exception(message);

/// <summary>Counts what the decoder reported; the fuzz test only needs it to exist.</summary>
public struct CountingSink : IDecodeSink
{
    public int Points, Rejections;
    public void OnPoint(int objectIndex, long seq, long timestampMs) => Points++;
    public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) => Rejections++;
}
