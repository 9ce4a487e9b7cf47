using System.Text.Json;

namespace Telemetry.Contract.Decoding.Json;

/// <summary>
/// Reads a section 2 payload (one object or an array of objects, UTF-8 already checked) and hands each object
/// to the handler as one point: <c>ts</c> as its time, every other member as a field; <c>null</c> is absent.
/// Two ways, same calls: <see cref="TryReadFlat{THandler}"/> for the common flat shape, and
/// <see cref="Read{THandler}"/> with <see cref="Utf8JsonReader"/>, which has the last word on validity.
/// One instance per thread: it keeps scratch buffers for unescaping.
/// </summary>
internal sealed class JsonPayloadReader(int maxDepth)
{
    private static ReadOnlySpan<byte> TsKey => "ts"u8;
    private const int MaxKeyBytes = 256;

    private readonly JsonReaderOptions _readerOptions = new() { MaxDepth = maxDepth };
    private readonly byte[] _keyScratch = new byte[MaxKeyBytes];
    private byte[] _stringScratch = new byte[1024];

    /// <summary>
    /// Reads the payload with <see cref="FlatJsonScanner"/>; false when it is not that shape (or not valid JSON),
    /// and the handler's message must be restarted and read again with <see cref="Read{THandler}"/>. The scanner
    /// does not count depth: an array of objects is depth 2, so a lower limit leaves everything to the full reader.
    /// </summary>
    public bool TryReadFlat<THandler>(ReadOnlySpan<byte> payload, ref THandler handler) where THandler : IPointHandler
    {
        if (_readerOptions.MaxDepth is > 0 and < 2) return false;
        var scanner = new FlatJsonScanner(payload);
        scanner.SkipWhitespace();
        if (scanner.TryConsume((byte)'{'))
        {
            if (!TryReadFlatObject(ref scanner, 0, ref handler)) return false;
        }
        else if (scanner.TryConsume((byte)'['))
        {
            scanner.SkipWhitespace();
            if (!scanner.TryConsume((byte)']'))
            {
                int index = 0;
                do
                {
                    scanner.SkipWhitespace();
                    if (!scanner.TryConsume((byte)'{')) return false;
                    if (!TryReadFlatObject(ref scanner, index++, ref handler)) return false;
                    scanner.SkipWhitespace();
                } while (scanner.TryConsume((byte)','));
                if (!scanner.TryConsume((byte)']')) return false;
            }
        }
        else return false;
        scanner.SkipWhitespace();
        return scanner.AtEnd;
    }

    /// <summary>One object after its <c>{</c>; false when it is not flat.</summary>
    private static bool TryReadFlatObject<THandler>(ref FlatJsonScanner scanner, int index, ref THandler handler)
        where THandler : IPointHandler
    {
        handler.BeginPoint(index);
        scanner.SkipWhitespace();
        if (!scanner.TryConsume((byte)'}'))
        {
            do
            {
                scanner.SkipWhitespace();
                if (!scanner.TryReadKey(out var key)) return false;
                scanner.SkipWhitespace();
                if (!scanner.TryConsume((byte)':')) return false;
                scanner.SkipWhitespace();
                if (!scanner.TryReadValue(out var value, out bool isNull)) return false;
                if (!isNull) Member(key, key, value, ref handler);
                scanner.SkipWhitespace();
            } while (scanner.TryConsume((byte)','));
            if (!scanner.TryConsume((byte)'}')) return false;
        }
        handler.EndPoint();
        return true;
    }

    /// <summary>Reads any payload; false when it is not valid JSON of the section 2 shape (<c>bad_json</c>).</summary>
    public bool Read<THandler>(ReadOnlySpan<byte> payload, ref THandler handler) where THandler : IPointHandler
    {
        try
        {
            var reader = new Utf8JsonReader(payload, _readerOptions);
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadObject(ref reader, 0, ref handler);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                int index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject) return false;
                    ReadObject(ref reader, index++, ref handler);
                }
            }
            else return false;
            // A second top-level value or trailing garbage makes the reader throw; only whitespace may follow.
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void ReadObject<THandler>(ref Utf8JsonReader reader, int index, ref THandler handler) where THandler : IPointHandler
    {
        handler.BeginPoint(index);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> keyAsSent = reader.ValueSpan;
            ReadOnlySpan<byte> key = keyAsSent;
            // A key whose escapes are not valid Unicode stays raw: it matches no signal (unknown_key).
            if (reader.ValueIsEscaped && keyAsSent.Length <= MaxKeyBytes && TryCopyString(ref reader, _keyScratch, out int unescaped))
                key = _keyScratch.AsSpan(0, unescaped);

            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    continue;
                case JsonTokenType.String:
                    // Escapes that are not valid Unicode: no type accepts it.
                    Member(key, keyAsSent, TryReadString(ref reader, out var text) ? FieldValue.String(text) : FieldValue.Unsupported, ref handler);
                    break;
                case JsonTokenType.Number:
                    Member(key, keyAsSent, FieldValue.NumberText(reader.ValueSpan), ref handler);
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    Member(key, keyAsSent, FieldValue.Boolean(reader.TokenType == JsonTokenType.True), ref handler);
                    break;
                default:
                    Member(key, keyAsSent, FieldValue.Unsupported, ref handler);
                    reader.Skip();
                    break;
            }
        }
        handler.EndPoint();
    }

    /// <summary><c>ts</c> is the point's time (epoch milliseconds, or RFC 3339 with an offset); every other member a field.</summary>
    private static void Member<THandler>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> keyAsSent, in FieldValue value, ref THandler handler)
        where THandler : IPointHandler
    {
        if (key.Length == 2 && key.SequenceEqual(TsKey))
        {
            if (TryReadTs(value, out long ts)) handler.Timestamp(ts);
            else handler.TimestampInvalid();
        }
        else handler.Field(key, value, keyAsSent);
    }

    private static bool TryReadTs(in FieldValue value, out long unixMs)
    {
        unixMs = 0;
        return value.Kind switch
        {
            FieldValueKind.NumberText => JsonNumber.TryGetInt64(value.Text, out unixMs),
            FieldValueKind.String => Rfc3339.TryParseUnixMs(value.Text, out unixMs),
            _ => false,
        };
    }

    /// <summary>
    /// The string's unescaped UTF-8 bytes (a slice of the payload when it has no escapes); false when
    /// an escape is not valid Unicode (a lone surrogate such as <c>\ud800</c>).
    /// </summary>
    private bool TryReadString(ref Utf8JsonReader reader, out ReadOnlySpan<byte> text)
    {
        text = reader.ValueSpan;
        if (!reader.ValueIsEscaped) return true;
        if (_stringScratch.Length < reader.ValueSpan.Length)
            _stringScratch = new byte[Math.Max(reader.ValueSpan.Length, _stringScratch.Length * 2)];
        if (!TryCopyString(ref reader, _stringScratch, out int length)) return false;
        text = _stringScratch.AsSpan(0, length);
        return true;
    }

    private static bool TryCopyString(ref Utf8JsonReader reader, Span<byte> destination, out int length)
    {
        try
        {
            length = reader.CopyString(destination);
            return true;
        }
        catch (InvalidOperationException)
        {
            length = 0;
            return false;
        }
    }
}
