using System.Text.Json;
using System.Text.Unicode;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Decoding;

/// <summary>
/// Turns one MQTT message into line protocol in a single forward pass over the payload with
/// <see cref="Utf8JsonReader"/>, writing each valid value straight into the output buffer.
/// Allocates nothing per message in steady state. One instance per thread: it keeps scratch buffers.
/// </summary>
/// <remarks>
/// One object is either written (possibly without some fields: <c>field_invalid</c>, <c>unknown_key</c>)
/// or rejected for exactly one reason, checked in this order: the first of <c>duplicate_field</c> /
/// <c>ts_invalid</c> met in the object, <c>retained_without_ts</c>, <c>ts_out_of_range</c>,
/// <c>missing_required</c>, <c>no_fields</c>. A rejected object's field-level findings are not reported.
/// </remarks>
public sealed class PayloadDecoder
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];
    private static ReadOnlySpan<byte> TsKey => "ts"u8;
    private static ReadOnlySpan<byte> SeqKey => "seq"u8;
    private static ReadOnlySpan<byte> TypeKey => "type"u8;
    private const int MaxKeyBytes = 256;

    private readonly SignalCatalogue _catalogue;
    private readonly DecoderOptions _options;
    private readonly JsonReaderOptions _readerOptions;
    private readonly long _maxAgeMs, _maxFutureMs;

    // Tag set of the current message: "{measurement},kind=..,site=.." + [",type=.."] + ",vehicle_id=..".
    private readonly byte[] _tagPrefix = new byte[128];
    private readonly byte[] _tagSuffix = new byte[96];
    private int _tagPrefixLength, _tagSuffixLength;

    private readonly LineBuffer _fields = new(4096);
    private readonly byte[] _keyScratch = new byte[MaxKeyBytes];
    private byte[] _stringScratch = new byte[1024];
    private readonly int[] _seenStamp;
    private int _stamp;
    private Pending[] _pending = new Pending[64];
    private int _pendingCount;

    /// <summary>A finding held until the payload is known to be well-formed: a rejection, or a point written (<see cref="Reason"/> null).</summary>
    private readonly record struct Pending(RejectReason? Reason, int ObjectIndex, int KeyStart, int KeyLength, long Seq = -1);

    public PayloadDecoder(SignalCatalogue catalogue, DecoderOptions? options = null)
    {
        _catalogue = catalogue;
        _options = options ?? new DecoderOptions();
        _readerOptions = new JsonReaderOptions { MaxDepth = _options.MaxDepth };
        _maxAgeMs = (long)_options.MaxAge.TotalMilliseconds;
        _maxFutureMs = (long)_options.MaxFuture.TotalMilliseconds;
        int mostFields = catalogue.Kinds.Select(k => k.Telemetry.Signals.Count)
            .Append(catalogue.EventFields.Signals.Count).Append(catalogue.StatusFields.Signals.Count).Max();
        _seenStamp = new int[mostFields];
    }

    public SignalCatalogue Catalogue => _catalogue;

    /// <summary>Appends the message's lines to <paramref name="output"/> and reports what was not written to <paramref name="sink"/>.</summary>
    /// <param name="retained">the broker flagged the message as retained (a replay on subscribe)</param>
    /// <param name="nowUnixMs">the receive time: used for objects without <c>ts</c> and for the <c>ts</c> window</param>
    public DecodeOutcome Decode<TSink>(ReadOnlySpan<char> topic, ReadOnlySpan<byte> payload, bool retained, long nowUnixMs,
        LineBuffer output, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        if (!TopicParser.TryParse(topic, _catalogue, out var parts))
            return RejectMessage(RejectReason.BadTopic, ref sink);
        if (payload.Length > _options.MaxPayloadBytes)
            return RejectMessage(RejectReason.TooLarge, ref sink);
        if (payload.StartsWith(Utf8Bom)) payload = payload[3..];
        if (!Utf8.IsValid(payload))
            return RejectMessage(RejectReason.BadJson, ref sink);

        WriteTags(parts);
        var fields = parts.Stream switch
        {
            StreamKind.Telemetry => parts.Kind.Telemetry,
            StreamKind.Event => _catalogue.EventFields,
            _ => _catalogue.StatusFields,
        };

        var outcome = new DecodeOutcome();
        int outputStart = output.Length;
        _pendingCount = 0;
        bool wellFormed;
        try
        {
            wellFormed = ReadPayload(payload, fields, parts.Stream, retained, nowUnixMs, output, ref outcome);
        }
        catch (JsonException)
        {
            wellFormed = false;
        }
        if (!wellFormed)
        {
            output.Truncate(outputStart);
            return RejectMessage(RejectReason.BadJson, ref sink);
        }

        for (int i = 0; i < _pendingCount; i++)
        {
            var p = _pending[i];
            if (p.Reason is { } reason) sink.OnRejected(reason, p.ObjectIndex, payload.Slice(p.KeyStart, p.KeyLength));
            else sink.OnPoint(p.ObjectIndex, p.Seq);
        }
        return outcome;
    }

    private static DecodeOutcome RejectMessage<TSink>(RejectReason reason, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        sink.OnRejected(reason, -1, default);
        return new DecodeOutcome { MessageRejection = reason };
    }

    private bool ReadPayload(ReadOnlySpan<byte> payload, FieldSet fields, StreamKind stream, bool retained, long nowMs,
        LineBuffer output, ref DecodeOutcome outcome)
    {
        var reader = new Utf8JsonReader(payload, _readerOptions);
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            outcome.Objects = 1;
            DecodeObject(ref reader, fields, stream, 0, retained, nowMs, output, ref outcome);
        }
        else if (reader.TokenType == JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject) return false;
                DecodeObject(ref reader, fields, stream, outcome.Objects++, retained, nowMs, output, ref outcome);
            }
        }
        else return false;
        // A second top-level value or trailing garbage makes the reader throw; only whitespace may follow.
        return !reader.Read();
    }

    private void DecodeObject(ref Utf8JsonReader reader, FieldSet fields, StreamKind stream, int objectIndex, bool retained,
        long nowMs, LineBuffer output, ref DecodeOutcome outcome)
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_seenStamp);
            _stamp = 1;
        }
        _fields.Clear();
        int pendingStart = _pendingCount;
        RejectReason? rejection = null;
        bool hasTs = false, hasSeq = false, hasType = false, requiredSeen = false;
        long ts = 0, seqValue = -1;
        int typeIndex = -1;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int keyStart = (int)reader.TokenStartIndex + 1;
            int keyLength = reader.ValueSpan.Length;
            ReadOnlySpan<byte> key = reader.ValueSpan;
            if (reader.ValueIsEscaped && keyLength <= MaxKeyBytes)
                key = _keyScratch.AsSpan(0, reader.CopyString(_keyScratch));

            reader.Read();
            if (reader.TokenType == JsonTokenType.Null) continue;

            if (key.SequenceEqual(TsKey))
            {
                if (hasTs) rejection ??= RejectReason.DuplicateField;
                else if (!TryReadTs(ref reader, out ts)) rejection ??= RejectReason.TsInvalid;
                hasTs = true;
            }
            else if (key.SequenceEqual(SeqKey))
            {
                if (hasSeq) rejection ??= RejectReason.DuplicateField;
                else if (TryReadInteger(ref reader, out long seq) && seq is >= 0 and <= uint.MaxValue) WriteSeq(seqValue = seq);
                else AddPending(RejectReason.FieldInvalid, objectIndex, keyStart, keyLength);
                hasSeq = true;
            }
            else if (stream == StreamKind.Event && key.SequenceEqual(TypeKey))
            {
                if (hasType) rejection ??= RejectReason.DuplicateField;
                else if ((typeIndex = FindEventType(ref reader)) < 0) AddPending(RejectReason.FieldInvalid, objectIndex, keyStart, keyLength);
                hasType = true;
            }
            else if (!fields.Keys.TryFind(key, out int index, out bool viaPath))
            {
                AddPending(RejectReason.UnknownKey, objectIndex, keyStart, keyLength);
            }
            else if (_seenStamp[index] == _stamp)
            {
                rejection ??= RejectReason.DuplicateField;
            }
            else
            {
                _seenStamp[index] = _stamp;
                if (TryWriteField(ref reader, fields.Signals[index], viaPath))
                    requiredSeen |= index == fields.RequiredIndex;
                else
                    AddPending(RejectReason.FieldInvalid, objectIndex, keyStart, keyLength);
            }
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }

        bool receiveTime = false;
        if (rejection is null)
        {
            if (!hasTs)
            {
                if (retained) rejection = RejectReason.RetainedWithoutTs;
                else
                {
                    ts = nowMs;
                    receiveTime = true;
                }
            }
            else if (ts < nowMs - _maxAgeMs || ts > nowMs + _maxFutureMs) rejection = RejectReason.TsOutOfRange;
        }
        if (rejection is null)
        {
            if (stream == StreamKind.Event && typeIndex < 0) rejection = RejectReason.MissingRequired;
            else if (fields.RequiredIndex >= 0 && !requiredSeen) rejection = RejectReason.MissingRequired;
            else if (_fields.Length == 0)
            {
                if (stream == StreamKind.Event) _fields.Write("n=1i"u8);
                else rejection = RejectReason.NoFields;
            }
        }
        if (rejection is { } reason)
        {
            _pendingCount = pendingStart;
            AddPending(reason, objectIndex, 0, 0);
            outcome.ObjectsRejected++;
            return;
        }

        WriteLine(output, typeIndex, ts);
        AddPending(null, objectIndex, 0, 0, seqValue);
        outcome.Points++;
        if (receiveTime) outcome.ReceiveTimeUsed++;
    }

    private void WriteTags(in TopicParts parts)
    {
        ReadOnlySpan<byte> measurement = parts.Stream switch
        {
            StreamKind.Telemetry => "telemetry,kind="u8,
            StreamKind.Event => "events,kind="u8,
            _ => "status,kind="u8,
        };
        var prefix = _tagPrefix.AsSpan();
        int n = Append(prefix, 0, measurement);
        n = Append(prefix, n, parts.Kind.NameUtf8);
        n = Append(prefix, n, ",site="u8);
        n += AppendAscii(prefix[n..], parts.Site);
        _tagPrefixLength = n;

        var suffix = _tagSuffix.AsSpan();
        n = Append(suffix, 0, ",vehicle_id="u8);
        n += AppendAscii(suffix[n..], parts.VehicleId);
        _tagSuffixLength = n;
    }

    private void WriteLine(LineBuffer output, int typeIndex, long ts)
    {
        ReadOnlySpan<byte> type = typeIndex >= 0 ? _catalogue.EventTypesUtf8[typeIndex] : default;
        var fields = _fields.WrittenSpan;
        var line = output.GetSpan(_tagPrefixLength + 6 + type.Length + _tagSuffixLength + fields.Length + 24);
        int n = Append(line, 0, _tagPrefix.AsSpan(0, _tagPrefixLength));
        if (typeIndex >= 0)
        {
            n = Append(line, n, ",type="u8);
            n = Append(line, n, type);
        }
        n = Append(line, n, _tagSuffix.AsSpan(0, _tagSuffixLength));
        line[n++] = (byte)' ';
        n = Append(line, n, fields);
        line[n++] = (byte)' ';
        ts.TryFormat(line[n..], out int tsLength);
        n += tsLength;
        line[n++] = (byte)'\n';
        output.Advance(n);
    }

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }

    /// <summary>Topic segments were validated as ASCII, so narrowing each char is exact.</summary>
    private static int AppendAscii(Span<byte> destination, ReadOnlySpan<char> ascii)
    {
        for (int i = 0; i < ascii.Length; i++) destination[i] = (byte)ascii[i];
        return ascii.Length;
    }

    private void AddPending(RejectReason? reason, int objectIndex, int keyStart, int keyLength, long seq = -1)
    {
        if (_pendingCount == _pending.Length) Array.Resize(ref _pending, _pending.Length * 2);
        _pending[_pendingCount++] = new Pending(reason, objectIndex, keyStart, keyLength, seq);
    }

    private bool TryReadTs(ref Utf8JsonReader reader, out long unixMs)
    {
        unixMs = 0;
        if (reader.TokenType == JsonTokenType.Number)
            return reader.TryGetInt64(out unixMs);
        if (reader.TokenType == JsonTokenType.String)
            return Rfc3339.TryParseUnixMs(ReadString(ref reader), out unixMs);
        return false;
    }

    private static bool TryReadInteger(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.Number) return false;
        if (reader.TryGetInt64(out value)) return true;
        // 12.0 or 1.2e1 is an integer written as a float: accept it when it is exact.
        if (reader.TryGetDouble(out double d) && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) <= (1L << 53))
        {
            value = (long)d;
            return true;
        }
        return false;
    }

    private int FindEventType(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) return -1;
        var value = ReadString(ref reader);
        var types = _catalogue.EventTypesUtf8;
        for (int i = 0; i < types.Length; i++)
            if (value.SequenceEqual(types[i])) return i;
        return -1;
    }

    /// <summary>The string's unescaped UTF-8 bytes (a slice of the payload when it has no escapes).</summary>
    private ReadOnlySpan<byte> ReadString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan;
        if (_stringScratch.Length < reader.ValueSpan.Length)
            _stringScratch = new byte[Math.Max(reader.ValueSpan.Length, _stringScratch.Length * 2)];
        return _stringScratch.AsSpan(0, reader.CopyString(_stringScratch));
    }

    private void BeginField(ReadOnlySpan<byte> escapedKey, int valueBytes)
    {
        if (_fields.Length > 0) _fields.WriteByte((byte)',');
        _fields.Write(escapedKey);
        _fields.WriteByte((byte)'=');
        _fields.GetSpan(valueBytes);
    }

    private void WriteSeq(long seq)
    {
        BeginField(SeqKey, PlainNumber.MaxIntegerLength);
        _fields.Advance(PlainNumber.WriteInteger(seq, _fields.GetSpan()));
    }

    private bool TryWriteField(ref Utf8JsonReader reader, SignalDefinition signal, bool viaPath)
    {
        switch (signal.Type)
        {
            case SignalType.Float:
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double value) || !double.IsFinite(value))
                    return false;
                bool scaled = viaPath && signal.PathDivisor != 1;
                if (scaled) value /= signal.PathDivisor;
                if (value < signal.Min || value > signal.Max) return false;
                var raw = reader.ValueSpan;
                // A JSON number without an exponent is already valid line-protocol float text: copy it.
                if (!scaled && raw.IndexOfAny((byte)'e', (byte)'E') < 0)
                {
                    BeginField(signal.FieldKeyEscaped, raw.Length);
                    _fields.Write(raw);
                }
                else
                {
                    BeginField(signal.FieldKeyEscaped, PlainNumber.MaxDoubleLength);
                    _fields.Advance(PlainNumber.WriteDouble(value, _fields.GetSpan()));
                }
                return true;
            }
            case SignalType.Int:
            {
                if (!TryReadInteger(ref reader, out long value) || value < signal.Min || value > signal.Max) return false;
                BeginField(signal.FieldKeyEscaped, PlainNumber.MaxIntegerLength);
                _fields.Advance(PlainNumber.WriteInteger(value, _fields.GetSpan()));
                return true;
            }
            case SignalType.Bool:
            {
                bool value;
                if (reader.TokenType is JsonTokenType.True or JsonTokenType.False) value = reader.TokenType == JsonTokenType.True;
                else if (viaPath && reader.TokenType == JsonTokenType.String && TryMapPathString(signal, ReadString(ref reader), out value)) { }
                else return false;
                BeginField(signal.FieldKeyEscaped, 5);
                _fields.Write(value ? "true"u8 : "false"u8);
                return true;
            }
            default:
            {
                if (reader.TokenType != JsonTokenType.String) return false;
                var value = ReadString(ref reader);
                if (!IsAcceptableString(signal, value)) return false;
                BeginField(signal.FieldKeyEscaped, value.Length * 2 + 2);
                _fields.Advance(LineProtocolEscaping.WriteQuotedString(value, _fields.GetSpan()));
                return true;
            }
        }
    }

    private static bool TryMapPathString(SignalDefinition signal, ReadOnlySpan<byte> text, out bool value)
    {
        foreach (var (candidate, mapped) in signal.PathStringsUtf8)
        {
            if (text.SequenceEqual(candidate))
            {
                value = mapped;
                return true;
            }
        }
        value = false;
        return false;
    }

    /// <summary>No control characters (a newline would end the line), within the length, one of the allowed values if any.</summary>
    private static bool IsAcceptableString(SignalDefinition signal, ReadOnlySpan<byte> value)
    {
        if (value.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || value.Contains((byte)0x7F)) return false;
        if (signal.AllowedValuesUtf8.Length > 0)
        {
            foreach (var allowed in signal.AllowedValuesUtf8)
                if (value.SequenceEqual(allowed)) return true;
            return false;
        }
        if (value.Length <= signal.MaxLength) return true;
        int scalars = value.Length - CountContinuationBytes(value);
        return scalars <= signal.MaxLength;
    }

    private static int CountContinuationBytes(ReadOnlySpan<byte> utf8)
    {
        int count = 0;
        foreach (byte b in utf8)
            if ((b & 0xC0) == 0x80) count++;
        return count;
    }
}
