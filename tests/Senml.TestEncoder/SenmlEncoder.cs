using System.Buffers;
using System.Formats.Cbor;
using System.Text.Json;

namespace Senml.TestEncoder;

/// <summary>One SenML record as (label, value) pairs, in the order written. Values: string, double, float, Half, long, int, bool, byte[] or null.</summary>
public sealed class SenmlRecord : List<(string Label, object? Value)>
{
    public SenmlRecord Add(string label, object? value)
    {
        base.Add((label, value));
        return this;
    }
}

public static class SenmlEncoder
{
    /// <summary>RFC 8428 table 6.</summary>
    private static readonly Dictionary<string, int> CborLabels = new()
    {
        ["bver"] = -1, ["bn"] = -2, ["bt"] = -3, ["bu"] = -4, ["bv"] = -5, ["bs"] = -6,
        ["n"] = 0, ["u"] = 1, ["v"] = 2, ["vs"] = 3, ["vb"] = 4, ["s"] = 5, ["t"] = 6, ["ut"] = 7, ["vd"] = 8,
    };

    public static byte[] Json(IEnumerable<SenmlRecord> pack)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartArray();
            foreach (var record in pack)
            {
                writer.WriteStartObject();
                foreach (var (label, value) in record)
                {
                    writer.WritePropertyName(label);
                    switch (value)
                    {
                        case null: writer.WriteNullValue(); break;
                        case string s: writer.WriteStringValue(s); break;
                        case bool b: writer.WriteBooleanValue(b); break;
                        case long l: writer.WriteNumberValue(l); break;
                        case int i: writer.WriteNumberValue(i); break;
                        // JSON has no infinity: a number too large for a double is what a sender would write.
                        case double d when !double.IsFinite(d): writer.WriteRawValue(d < 0 ? "-1e400" : "1e400", skipInputValidation: true); break;
                        case double d: writer.WriteNumberValue(d); break;
                        case float f: writer.WriteNumberValue(f); break;
                        case Half h: writer.WriteNumberValue((double)h); break;
                        case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
                        default: throw new ArgumentException($"no JSON for {value.GetType()}");
                    }
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <param name="textLabels">write labels as text strings rather than table 6's integers</param>
    /// <param name="indefinite">indefinite-length array and maps (ended by a break)</param>
    public static byte[] Cbor(IEnumerable<SenmlRecord> pack, bool textLabels = false, bool indefinite = false)
    {
        var records = pack.ToList();
        var writer = new CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings: false, allowMultipleRootLevelValues: false);
        writer.WriteStartArray(indefinite ? null : records.Count);
        foreach (var record in records)
        {
            writer.WriteStartMap(indefinite ? null : record.Count);
            foreach (var (label, value) in record)
            {
                if (!textLabels && CborLabels.TryGetValue(label, out int key)) writer.WriteInt32(key);
                else writer.WriteTextString(label);
                switch (value)
                {
                    case null: writer.WriteNull(); break;
                    case string s: writer.WriteTextString(s); break;
                    case bool b: writer.WriteBoolean(b); break;
                    case long l: writer.WriteInt64(l); break;
                    case int i: writer.WriteInt32(i); break;
                    case double d: writer.WriteDouble(d); break;
                    case float f: writer.WriteSingle(f); break;
                    case Half h: writer.WriteHalf(h); break;
                    case byte[] bytes: writer.WriteByteString(bytes); break;
                    default: throw new ArgumentException($"no CBOR for {value.GetType()}");
                }
            }
            writer.WriteEndMap();
        }
        writer.WriteEndArray();
        return writer.Encode();
    }
}
