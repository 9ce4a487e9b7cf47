using System.Text.Json;

namespace Telemetry.Contract.Decoding.Senml;

/// <summary>
/// SenML JSON (RFC 8428 section 5): an array of record objects, labels as strings. Reads them into a
/// <see cref="SenmlPack"/> and hands its points to the handler. Valid UTF-8 is checked by the caller.
/// One instance per thread.
/// </summary>
internal sealed class SenmlJsonReader(int maxDepth)
{
    private readonly JsonReaderOptions _options = new() { MaxDepth = maxDepth };
    private readonly SenmlPack _pack = new();
    // Unescaped names and strings, copied into the pack at once; a grown array goes back at the next pack.
    private readonly PooledArray<byte> _scratch = new(256);

    /// <returns>null when read; <c>bad_json</c> when it is not JSON; <c>bad_payload</c> when it is not a SenML pack</returns>
    public RejectReason? Read<THandler>(ReadOnlySpan<byte> payload, ref THandler handler) where THandler : IPointHandler
    {
        _pack.BeginPack();
        _scratch.Release(0);
        try
        {
            var reader = new Utf8JsonReader(payload, _options);
            reader.Read();
            bool isPack = reader.TokenType == JsonTokenType.StartArray;
            if (isPack)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        isPack = false;
                        reader.Skip();
                        continue;
                    }
                    ReadRecord(ref reader);
                }
            }
            else reader.Skip();
            // A second top-level value or trailing garbage makes the reader throw; only whitespace may follow.
            if (reader.Read()) return RejectReason.BadJson;
            if (!isPack || _pack.IsMalformed) return RejectReason.BadPayload;
        }
        catch (JsonException)
        {
            return RejectReason.BadJson;
        }
        _pack.Emit(ref handler);
        return null;
    }

    private void ReadRecord(ref Utf8JsonReader reader)
    {
        _pack.BeginRecord();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var label = LabelOf(ref reader);
            reader.Read();
            switch (label)
            {
                case SenmlPack.Label.BaseName when TryString(ref reader, out var text): _pack.BaseName(text); break;
                case SenmlPack.Label.BaseUnit when TryString(ref reader, out var text): _pack.BaseUnit(text); break;
                case SenmlPack.Label.Name when TryString(ref reader, out var text): _pack.Name(text); break;
                case SenmlPack.Label.Unit when TryString(ref reader, out var text): _pack.Unit(text); break;
                case SenmlPack.Label.BaseTime when TryNumber(ref reader, out double d): _pack.BaseTime(d); break;
                case SenmlPack.Label.BaseValue when TryNumber(ref reader, out double d): _pack.BaseValue(d); break;
                case SenmlPack.Label.Version when TryNumber(ref reader, out double d): _pack.Version(d); break;
                case SenmlPack.Label.Time when TryNumber(ref reader, out double d): _pack.Time(d); break;
                case SenmlPack.Label.BaseSum when reader.TokenType == JsonTokenType.Number: _pack.BaseSum(); break;
                case SenmlPack.Label.Sum when reader.TokenType == JsonTokenType.Number: _pack.Sum(); break;
                case SenmlPack.Label.UpdateTime when reader.TokenType == JsonTokenType.Number: _pack.UpdateTime(); break;
                case SenmlPack.Label.Value when TryNumber(ref reader, out double d): _pack.Value(d); break;
                case SenmlPack.Label.StringValue when TryString(ref reader, out var text): _pack.StringValue(text); break;
                case SenmlPack.Label.BooleanValue when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                    _pack.BooleanValue(reader.TokenType == JsonTokenType.True);
                    break;
                case SenmlPack.Label.Value or SenmlPack.Label.StringValue or SenmlPack.Label.BooleanValue or SenmlPack.Label.DataValue:
                    // vd (base64 data), or a value of the wrong JSON type: no signal takes it.
                    _pack.UnsupportedValue(label);
                    reader.Skip();
                    break;
                case SenmlPack.Label.None:
                    reader.Skip();
                    break;
                default:
                    // A SenML label whose value has the wrong JSON type, or a must-understand label we do not know.
                    _pack.Malformed();
                    reader.Skip();
                    break;
            }
        }
        _pack.EndRecord();
    }

    private SenmlPack.Label LabelOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return SenmlPack.LabelOf(reader.ValueSpan);
        return TryUnescape(ref reader, out var name) ? SenmlPack.LabelOf(name) : SenmlPack.Label.Unknown;
    }

    private static bool TryNumber(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
    }

    private bool TryString(ref Utf8JsonReader reader, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (reader.TokenType != JsonTokenType.String) return false;
        if (!reader.ValueIsEscaped)
        {
            text = reader.ValueSpan;
            return true;
        }
        return TryUnescape(ref reader, out text);
    }

    /// <summary>False when an escape is not valid Unicode (a lone surrogate).</summary>
    private bool TryUnescape(ref Utf8JsonReader reader, out ReadOnlySpan<byte> text)
    {
        text = default;
        var scratch = _scratch.Grow(reader.ValueSpan.Length, 0);
        try
        {
            text = scratch.AsSpan(0, reader.CopyString(scratch));
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
