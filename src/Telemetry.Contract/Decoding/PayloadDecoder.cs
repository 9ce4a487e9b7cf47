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
    private readonly record struct Pending(RejectReason? Reason, int ObjectIndex, int KeyStart, int KeyLength, long Seq = -1, long Timestamp = 0);

    public PayloadDecoder(SignalCatalogue catalogue, DecoderOptions? options = null)
    {
        _catalogue = catalogue;
        _options = options ?? new DecoderOptions();
        _readerOptions = new JsonReaderOptions { MaxDepth = _options.MaxDepth };
        _maxAgeMs = (long)_options.MaxAge.TotalMilliseconds;
        _maxFutureMs = (long)_options.MaxFuture.TotalMilliseconds;
        FlatScanEnabled = _options.MaxDepth is 0 or >= 2;
        int mostFields = catalogue.Kinds.Select(k => k.Telemetry.Signals.Count)
            .Append(catalogue.EventFields.Signals.Count).Append(catalogue.StatusFields.Signals.Count).Max();
        _seenStamp = new int[mostFields];
    }

    public SignalCatalogue Catalogue => _catalogue;

    /// <summary>
    /// Whether flat payloads go through <see cref="FlatJsonScanner"/> before the full reader (tests turn it off to
    /// compare both paths). The scanner does not count depth: an array of objects is depth 2, so a lower
    /// <see cref="DecoderOptions.MaxDepth"/> leaves everything to the reader.
    /// </summary>
    internal bool FlatScanEnabled { get; set; }

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
        bool wellFormed = FlatScanEnabled && TryDecodeFlat(payload, fields, parts.Stream, retained, nowUnixMs, output, ref outcome);
        if (!wellFormed)
        {
            // Not the flat shape (or not valid JSON): start again with the full reader, which decides.
            output.Truncate(outputStart);
            _pendingCount = 0;
            outcome = new DecodeOutcome();
            try
            {
                wellFormed = ReadPayload(payload, fields, parts.Stream, retained, nowUnixMs, output, ref outcome);
            }
            catch (JsonException)
            {
                wellFormed = false;
            }
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
            else sink.OnPoint(p.ObjectIndex, p.Seq, p.Timestamp);
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

    /// <summary>What the rules have learnt about the object being read, member by member.</summary>
    private struct ObjectState
    {
        public int ObjectIndex, PendingStart, TypeIndex;
        public RejectReason? Rejection;
        public bool HasTs, HasSeq, HasType, RequiredSeen;
        public long Ts, Seq;
    }

    private bool TryDecodeFlat(ReadOnlySpan<byte> payload, FieldSet fields, StreamKind stream, bool retained, long nowMs,
        LineBuffer output, ref DecodeOutcome outcome)
    {
        var scanner = new FlatJsonScanner(payload);
        scanner.SkipWhitespace();
        if (scanner.TryConsume((byte)'{'))
        {
            outcome.Objects = 1;
            if (!TryDecodeFlatObject(ref scanner, payload, fields, stream, 0, retained, nowMs, output, ref outcome)) return false;
        }
        else if (scanner.TryConsume((byte)'['))
        {
            scanner.SkipWhitespace();
            if (!scanner.TryConsume((byte)']'))
            {
                do
                {
                    scanner.SkipWhitespace();
                    if (!scanner.TryConsume((byte)'{')) return false;
                    if (!TryDecodeFlatObject(ref scanner, payload, fields, stream, outcome.Objects++, retained, nowMs, output, ref outcome))
                        return false;
                    scanner.SkipWhitespace();
                } while (scanner.TryConsume((byte)','));
                if (!scanner.TryConsume((byte)']')) return false;
            }
        }
        else return false;
        scanner.SkipWhitespace();
        return scanner.AtEnd;
    }

    /// <summary>Reads one object after its <c>{</c>; false when it is not flat, and the payload must be read again.</summary>
    private bool TryDecodeFlatObject(ref FlatJsonScanner scanner, ReadOnlySpan<byte> payload, FieldSet fields, StreamKind stream,
        int objectIndex, bool retained, long nowMs, LineBuffer output, ref DecodeOutcome outcome)
    {
        var state = BeginObject(objectIndex);
        scanner.SkipWhitespace();
        if (!scanner.TryConsume((byte)'}'))
        {
            do
            {
                scanner.SkipWhitespace();
                if (!scanner.TryReadKey(out int keyStart, out int keyLength)) return false;
                scanner.SkipWhitespace();
                if (!scanner.TryConsume((byte)':')) return false;
                scanner.SkipWhitespace();
                if (!scanner.TryReadScalar(out var value)) return false;
                if (value.Type != JsonTokenType.Null)
                    ReadMember(ref state, payload.Slice(keyStart, keyLength), keyStart, keyLength, value, fields, stream);
                scanner.SkipWhitespace();
            } while (scanner.TryConsume((byte)','));
            if (!scanner.TryConsume((byte)'}')) return false;
        }
        EndObject(ref state, fields, stream, retained, nowMs, output, ref outcome);
        return true;
    }

    private void DecodeObject(ref Utf8JsonReader reader, FieldSet fields, StreamKind stream, int objectIndex, bool retained,
        long nowMs, LineBuffer output, ref DecodeOutcome outcome)
    {
        var state = BeginObject(objectIndex);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int keyStart = (int)reader.TokenStartIndex + 1;
            int keyLength = reader.ValueSpan.Length;
            ReadOnlySpan<byte> key = reader.ValueSpan;
            // A key whose escapes are not valid Unicode stays raw: it matches no signal (unknown_key).
            if (reader.ValueIsEscaped && keyLength <= MaxKeyBytes && TryCopyString(ref reader, _keyScratch, out int unescaped))
                key = _keyScratch.AsSpan(0, unescaped);

            reader.Read();
            if (reader.TokenType == JsonTokenType.Null) continue;
            var value = reader.TokenType switch
            {
                JsonTokenType.String => TryReadString(ref reader, out var text)
                    ? new JsonScalar(JsonTokenType.String, text)
                    : new JsonScalar(JsonTokenType.None, default), // escapes that are not valid Unicode: no type accepts it
                JsonTokenType.Number => new JsonScalar(JsonTokenType.Number, reader.ValueSpan),
                _ => new JsonScalar(reader.TokenType, default),
            };
            ReadMember(ref state, key, keyStart, keyLength, value, fields, stream);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }
        EndObject(ref state, fields, stream, retained, nowMs, output, ref outcome);
    }

    private ObjectState BeginObject(int objectIndex)
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_seenStamp);
            _stamp = 1;
        }
        _fields.Clear();
        return new ObjectState { ObjectIndex = objectIndex, PendingStart = _pendingCount, TypeIndex = -1, Seq = -1 };
    }

    private enum ReservedKey { None, Ts, Seq, Type }

    /// <summary><c>ts</c>, <c>seq</c> and (for events) <c>type</c> are not catalogue signals; most keys are ruled out by length alone.</summary>
    private static ReservedKey ReservedKeyOf(ReadOnlySpan<byte> key, StreamKind stream) => key.Length switch
    {
        2 when key.SequenceEqual(TsKey) => ReservedKey.Ts,
        3 when key.SequenceEqual(SeqKey) => ReservedKey.Seq,
        4 when stream == StreamKind.Event && key.SequenceEqual(TypeKey) => ReservedKey.Type,
        _ => ReservedKey.None,
    };

    /// <summary>Applies the rules to one member whose value is not null.</summary>
    private void ReadMember(ref ObjectState o, ReadOnlySpan<byte> key, int keyStart, int keyLength, JsonScalar value,
        FieldSet fields, StreamKind stream)
    {
        var reserved = ReservedKeyOf(key, stream);
        if (reserved == ReservedKey.Ts)
        {
            if (o.HasTs) o.Rejection ??= RejectReason.DuplicateField;
            else if (!TryReadTs(value, out o.Ts)) o.Rejection ??= RejectReason.TsInvalid;
            o.HasTs = true;
        }
        else if (reserved == ReservedKey.Seq)
        {
            if (o.HasSeq) o.Rejection ??= RejectReason.DuplicateField;
            else if (TryReadInteger(value, out long seq) && seq is >= 0 and <= uint.MaxValue) WriteIntegerField(SeqKey, o.Seq = seq);
            else AddPending(RejectReason.FieldInvalid, o.ObjectIndex, keyStart, keyLength);
            o.HasSeq = true;
        }
        else if (reserved == ReservedKey.Type)
        {
            if (o.HasType) o.Rejection ??= RejectReason.DuplicateField;
            else if ((o.TypeIndex = FindEventType(value)) < 0) AddPending(RejectReason.FieldInvalid, o.ObjectIndex, keyStart, keyLength);
            o.HasType = true;
        }
        else if (!fields.Keys.TryFind(key, out int index, out bool viaPath))
        {
            AddPending(RejectReason.UnknownKey, o.ObjectIndex, keyStart, keyLength);
        }
        else if (_seenStamp[index] == _stamp)
        {
            o.Rejection ??= RejectReason.DuplicateField;
        }
        else
        {
            _seenStamp[index] = _stamp;
            if (TryWriteField(value, fields.Signals[index], viaPath))
                o.RequiredSeen |= index == fields.RequiredIndex;
            else
                AddPending(RejectReason.FieldInvalid, o.ObjectIndex, keyStart, keyLength);
        }
    }

    private void EndObject(ref ObjectState o, FieldSet fields, StreamKind stream, bool retained, long nowMs,
        LineBuffer output, ref DecodeOutcome outcome)
    {
        bool receiveTime = false;
        var rejection = o.Rejection;
        long ts = o.Ts;
        if (rejection is null)
        {
            if (!o.HasTs)
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
            if (stream == StreamKind.Event && o.TypeIndex < 0) rejection = RejectReason.MissingRequired;
            else if (fields.RequiredIndex >= 0 && !o.RequiredSeen) rejection = RejectReason.MissingRequired;
            else if (_fields.Length == 0)
            {
                if (stream == StreamKind.Event) _fields.Write("n=1i"u8);
                else rejection = RejectReason.NoFields;
            }
        }
        if (rejection is { } reason)
        {
            _pendingCount = o.PendingStart;
            AddPending(reason, o.ObjectIndex, 0, 0);
            outcome.ObjectsRejected++;
            return;
        }

        WriteLine(output, o.TypeIndex, ts);
        AddPending(null, o.ObjectIndex, 0, 0, o.Seq, ts);
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
        System.Text.Ascii.FromUtf16(ascii, destination, out int written);
        return written;
    }

    private void AddPending(RejectReason? reason, int objectIndex, int keyStart, int keyLength, long seq = -1, long timestamp = 0)
    {
        if (_pendingCount == _pending.Length) Array.Resize(ref _pending, _pending.Length * 2);
        _pending[_pendingCount++] = new Pending(reason, objectIndex, keyStart, keyLength, seq, timestamp);
    }

    private static bool TryReadTs(JsonScalar value, out long unixMs)
    {
        unixMs = 0;
        if (value.Type == JsonTokenType.Number)
            return JsonNumber.TryGetInt64(value.Text, out unixMs);
        if (value.Type == JsonTokenType.String)
            return Rfc3339.TryParseUnixMs(value.Text, out unixMs);
        return false;
    }

    private static bool TryReadInteger(JsonScalar value, out long result)
    {
        result = 0;
        if (value.Type != JsonTokenType.Number) return false;
        if (JsonNumber.TryGetInt64(value.Text, out result)) return true;
        // 12.0 or 1.2e1 is an integer written as a float: accept it when it is exact.
        if (JsonNumber.TryGetDouble(value.Text, out double d) && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) <= (1L << 53))
        {
            result = (long)d;
            return true;
        }
        return false;
    }

    private int FindEventType(JsonScalar value)
    {
        if (value.Type != JsonTokenType.String) return -1;
        var types = _catalogue.EventTypesUtf8;
        for (int i = 0; i < types.Length; i++)
            if (value.Text.SequenceEqual(types[i])) return i;
        return -1;
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

    /// <summary>
    /// Reserves room for one field and writes its <c>[,]key=</c>; the value goes at <paramref name="at"/>
    /// and the caller advances past both at once.
    /// </summary>
    private Span<byte> BeginField(ReadOnlySpan<byte> escapedKey, int maxValueBytes, out int at)
    {
        var destination = _fields.GetSpan(escapedKey.Length + 2 + maxValueBytes);
        at = 0;
        if (_fields.Length > 0) destination[at++] = (byte)',';
        escapedKey.CopyTo(destination[at..]);
        at += escapedKey.Length;
        destination[at++] = (byte)'=';
        return destination;
    }

    private void WriteField(ReadOnlySpan<byte> escapedKey, ReadOnlySpan<byte> valueText)
    {
        var destination = BeginField(escapedKey, valueText.Length, out int at);
        valueText.CopyTo(destination[at..]);
        _fields.Advance(at + valueText.Length);
    }

    private void WriteIntegerField(ReadOnlySpan<byte> escapedKey, long value)
    {
        var destination = BeginField(escapedKey, PlainNumber.MaxIntegerLength, out int at);
        _fields.Advance(at + PlainNumber.WriteInteger(value, destination[at..]));
    }

    private bool TryWriteField(JsonScalar value, SignalDefinition signal, bool viaPath)
    {
        switch (signal.Type)
        {
            case SignalType.Float:
            {
                if (value.Type != JsonTokenType.Number) return false;
                double number = value.KnownValue;
                bool hasExponent = false;
                if (double.IsNaN(number) && !JsonNumber.TryGetDouble(value.Text, out number, out hasExponent)) return false;
                if (!double.IsFinite(number)) return false;
                bool scaled = viaPath && signal.PathDivisor != 1;
                if (scaled) number /= signal.PathDivisor;
                if (number < signal.Min || number > signal.Max) return false;
                // A JSON number without an exponent is already valid line-protocol float text: copy it.
                if (!scaled && !hasExponent) WriteField(signal.FieldKeyEscaped, value.Text);
                else
                {
                    var destination = BeginField(signal.FieldKeyEscaped, PlainNumber.MaxDoubleLength, out int at);
                    _fields.Advance(at + PlainNumber.WriteDouble(number, destination[at..]));
                }
                return true;
            }
            case SignalType.Int:
            {
                if (!TryReadInteger(value, out long number) || number < signal.Min || number > signal.Max) return false;
                WriteIntegerField(signal.FieldKeyEscaped, number);
                return true;
            }
            case SignalType.Bool:
            {
                bool flag;
                if (value.Type is JsonTokenType.True or JsonTokenType.False) flag = value.Type == JsonTokenType.True;
                else if (viaPath && value.Type == JsonTokenType.String && TryMapPathString(signal, value.Text, out flag)) { }
                else return false;
                WriteField(signal.FieldKeyEscaped, flag ? "true"u8 : "false"u8);
                return true;
            }
            default:
            {
                if (value.Type != JsonTokenType.String || !IsAcceptableString(signal, value.Text)) return false;
                var destination = BeginField(signal.FieldKeyEscaped, value.Text.Length * 2 + 2, out int at);
                _fields.Advance(at + LineProtocolEscaping.WriteQuotedString(value.Text, destination[at..]));
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
        if (ContainsControlCharacter(value)) return false;
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

    /// <summary>
    /// U+0000–U+001F and U+007F, and the C1 controls U+0080–U+009F (NEL among them), which in UTF-8 are
    /// C2 80 – C2 9F. The text is valid UTF-8, so a C2 is always a lead byte.
    /// </summary>
    private static bool ContainsControlCharacter(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || utf8.Contains((byte)0x7F)) return true;
        for (int at; (at = utf8.IndexOf((byte)0xC2)) >= 0 && at + 1 < utf8.Length; utf8 = utf8[(at + 1)..])
            if (utf8[at + 1] is >= 0x80 and <= 0x9F) return true;
        return false;
    }

    private static int CountContinuationBytes(ReadOnlySpan<byte> utf8)
    {
        int count = 0;
        foreach (byte b in utf8)
            if ((b & 0xC0) == 0x80) count++;
        return count;
    }
}
