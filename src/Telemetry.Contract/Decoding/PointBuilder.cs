using System.Runtime.CompilerServices;
using System.Text.Unicode;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding.Json;
using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Decoding;

/// <summary>
/// The one place where the contract's rules are applied and line protocol is written, whatever the format:
/// readers hand it points and values (through <see cref="Handler"/>, an <see cref="IPointHandler"/>), and it
/// checks each against the signal catalogue (known key, type, range, duplicates), applies the point rules
/// (<c>ts</c> window, retained without <c>ts</c>, required fields, no fields), writes each accepted point as a
/// line with the topic's tags, and holds the findings until the message is known to be readable.
/// Allocates nothing per message in steady state. One instance per thread: it keeps scratch buffers.
/// </summary>
/// <remarks>
/// <para>Per message: <see cref="BeginMessage(in TopicParts, bool, long, LineBuffer)"/>, then the reader's calls on
/// <see cref="Handler"/>, then <see cref="EndMessage{TSink}"/> (findings reported to the sink) or
/// <see cref="RejectMessage{TSink}"/> (the message's lines taken back out, one whole-message reason).</para>
/// <para>One point is either written (possibly without some fields: <c>field_invalid</c>, <c>unknown_key</c>) or
/// rejected for exactly one reason, checked in this order: the first of <c>duplicate_field</c> / <c>ts_invalid</c>
/// met in the point, <c>retained_without_ts</c>, <c>ts_out_of_range</c>, <c>missing_required</c>,
/// <c>no_fields</c>. A rejected point's field-level findings are not reported.</para>
/// </remarks>
public sealed class PointBuilder
{
    private static ReadOnlySpan<byte> SeqKey => "seq"u8;
    private static ReadOnlySpan<byte> TypeKey => "type"u8;

    private readonly SignalCatalogue _catalogue;
    private readonly long _maxAgeMs, _maxFutureMs;

    // The message: where its lines go, and its tag set: "{measurement},kind=..,site=.." + [",type=.."] + ",vehicle_id=..".
    private LineBuffer? _output;
    private int _outputStart;
    private bool _retained;
    private long _nowMs;
    private KindDefinition _kind = null!;
    private StreamKind _stream;
    private FieldSet _fields = null!;
    private readonly byte[] _kindSiteTags = new byte[112];
    private readonly byte[] _tagPrefix = new byte[128];
    private readonly byte[] _tagSuffix = new byte[96];
    private int _kindSiteLength, _tagPrefixLength, _tagSuffixLength;
    private DecodeOutcome _outcome;

    // The point being read.
    private Point _point;
    private readonly LineBuffer _pointFields = new(4096);
    private readonly int[] _seenStamp;
    private int _stamp;

    // Findings of the message, replayed once it is known to be readable; keys of field findings are copied here.
    private Finding[] _findings = new Finding[64];
    private int _findingCount;
    private byte[] _findingKeys = new byte[1024];
    private int _findingKeysLength;

    private struct Point
    {
        public int Index, FindingStart, FindingKeysStart, TypeIndex;
        public RejectReason? Rejection;
        public bool HasTs, RelativeTs, HasSeq, HasType, RequiredSeen;
        public long Ts, Seq;
    }

    /// <summary>A rejection, or a point written (<see cref="Reason"/> null).</summary>
    private readonly record struct Finding(RejectReason? Reason, int PointIndex, int KeyStart, int KeyLength, long Seq = -1, long Timestamp = 0);

    public PointBuilder(SignalCatalogue catalogue, DecoderOptions? options = null)
    {
        options ??= new DecoderOptions();
        _catalogue = catalogue;
        _maxAgeMs = (long)options.MaxAge.TotalMilliseconds;
        _maxFutureMs = (long)options.MaxFuture.TotalMilliseconds;
        int mostFields = catalogue.Kinds.Select(k => k.Telemetry.Signals.Count)
            .Append(catalogue.EventFields.Signals.Count).Append(catalogue.StatusFields.Signals.Count).Max();
        _seenStamp = new int[mostFields];
    }

    public SignalCatalogue Catalogue => _catalogue;

    /// <summary>What readers are given: forwards each call to this builder (a struct, so a reader generic over it gets direct calls).</summary>
    public Handler AsHandler() => new(this);

    /// <inheritdoc cref="BeginMessage(ReadOnlySpan{char}, KindDefinition, ReadOnlySpan{char}, StreamKind, bool, long, LineBuffer)"/>
    public void BeginMessage(in TopicParts topic, bool retained, long nowUnixMs, LineBuffer output) =>
        BeginMessage(topic.Site, topic.Kind, topic.VehicleId, topic.Stream, retained, nowUnixMs, output);

    /// <summary>Starts a message whose points carry these tags (validated by the caller: site and vehicle id as in section 1).</summary>
    /// <param name="stream">the measurement of its points, unless a point names its own</param>
    /// <param name="retained">the broker flagged the message as retained (a replay on subscribe)</param>
    /// <param name="nowUnixMs">the receive time: used for points without a time, and for the window</param>
    /// <param name="output">where the lines go; taken back out if the message is rejected whole</param>
    public void BeginMessage(ReadOnlySpan<char> site, KindDefinition kind, ReadOnlySpan<char> vehicleId, StreamKind stream,
        bool retained, long nowUnixMs, LineBuffer output)
    {
        _output = output;
        _outputStart = output.Length;
        _retained = retained;
        _nowMs = nowUnixMs;
        _kind = kind;
        _outcome = new DecodeOutcome();
        _findingCount = 0;
        _findingKeysLength = 0;

        var kindSite = _kindSiteTags.AsSpan();
        int n = Append(kindSite, 0, ",kind="u8);
        n = Append(kindSite, n, kind.NameUtf8);
        n = Append(kindSite, n, ",site="u8);
        _kindSiteLength = n + AppendAscii(kindSite[n..], site);
        SetStream(stream);

        var suffix = _tagSuffix.AsSpan();
        n = Append(suffix, 0, ",vehicle_id="u8);
        n += AppendAscii(suffix[n..], vehicleId);
        _tagSuffixLength = n;
    }

    /// <summary>Forgets the message's lines and findings so far and starts it again (a reader that reads a second way).</summary>
    public void RestartMessage()
    {
        _output!.Truncate(_outputStart);
        _outcome = new DecodeOutcome();
        _findingCount = 0;
        _findingKeysLength = 0;
    }

    /// <summary>Reports the message's findings to <paramref name="sink"/>, in payload order, and what it became.</summary>
    public DecodeOutcome EndMessage<TSink>(ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        for (int i = 0; i < _findingCount; i++)
        {
            var f = _findings[i];
            if (f.Reason is { } reason) sink.OnRejected(reason, f.PointIndex, _findingKeys.AsSpan(f.KeyStart, f.KeyLength));
            else sink.OnPoint(f.PointIndex, f.Seq, f.Timestamp);
        }
        _output = null;
        return _outcome;
    }

    /// <summary>
    /// Rejects the message whole: its lines are taken back out of the output and its findings dropped. May be
    /// called without <see cref="BeginMessage(in TopicParts, bool, long, LineBuffer)"/> (a topic or a size refused before reading).
    /// </summary>
    public DecodeOutcome RejectMessage<TSink>(RejectReason reason, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        _output?.Truncate(_outputStart);
        _output = null;
        sink.OnRejected(reason, -1, default);
        return new DecodeOutcome { MessageRejection = reason };
    }

    public void BeginPoint(int index)
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_seenStamp);
            _stamp = 1;
        }
        _pointFields.Clear();
        _outcome.Objects++;
        _point = new Point { Index = index, FindingStart = _findingCount, FindingKeysStart = _findingKeysLength, TypeIndex = -1, Seq = -1 };
    }

    public void BeginPoint(int index, StreamKind measurement)
    {
        if (measurement != _stream) SetStream(measurement);
        BeginPoint(index);
    }

    public void Timestamp(long unixMs)
    {
        if (_point.HasTs) _point.Rejection ??= RejectReason.DuplicateField;
        else _point.Ts = unixMs;
        _point.HasTs = true;
    }

    public void RelativeTimestamp(long millisecondsFromReceive)
    {
        Timestamp(millisecondsFromReceive);
        _point.RelativeTs = true;
    }

    public void TimestampInvalid()
    {
        _point.Rejection ??= _point.HasTs ? RejectReason.DuplicateField : RejectReason.TsInvalid;
        _point.HasTs = true;
    }

    /// <summary>A field by its catalogue key or VSS path, <c>seq</c>, or (events) <c>type</c>; see <see cref="IPointHandler"/>.</summary>
    public void Field(ReadOnlySpan<byte> key, in FieldValue value, ReadOnlySpan<byte> keyAsSent, ReadOnlySpan<byte> unit = default)
    {
        // seq and type are not catalogue signals; most keys are ruled out by length alone.
        if (key.Length == 3 && key.SequenceEqual(SeqKey))
        {
            if (_point.HasSeq) _point.Rejection ??= RejectReason.DuplicateField;
            else if (unit.IsEmpty && TryGetInteger(value, out long seq) && seq is >= 0 and <= uint.MaxValue) WriteIntegerField(SeqKey, _point.Seq = seq);
            else AddFinding(RejectReason.FieldInvalid, keyAsSent);
            _point.HasSeq = true;
        }
        else if (key.Length == 4 && _stream == StreamKind.Event && key.SequenceEqual(TypeKey))
        {
            if (_point.HasType) _point.Rejection ??= RejectReason.DuplicateField;
            else if (!unit.IsEmpty || (_point.TypeIndex = FindEventType(value)) < 0) AddFinding(RejectReason.FieldInvalid, keyAsSent);
            _point.HasType = true;
        }
        else if (!_fields.Keys.TryFind(key, out int index, out bool viaPath))
        {
            AddFinding(RejectReason.UnknownKey, keyAsSent);
        }
        else if (_seenStamp[index] == _stamp)
        {
            _point.Rejection ??= RejectReason.DuplicateField;
        }
        else
        {
            _seenStamp[index] = _stamp;
            var signal = _fields.Signals[index];
            if ((unit.IsEmpty || signal.HasUnit(unit, viaPath)) && TryWriteField(value, signal, viaPath))
                _point.RequiredSeen |= index == _fields.RequiredIndex;
            else
                AddFinding(RejectReason.FieldInvalid, keyAsSent);
        }
    }

    public void FieldRefused(RejectReason reason, ReadOnlySpan<byte> keyAsSent)
    {
        if (!reason.IsFieldLevel()) throw new ArgumentOutOfRangeException(nameof(reason), reason, "only a field-level reason drops one field");
        AddFinding(reason, keyAsSent);
    }

    public void EndPoint()
    {
        bool receiveTime = false;
        var rejection = _point.Rejection;
        long ts = _point.Ts;
        if (rejection is null)
        {
            if (!_point.HasTs || _point.RelativeTs)
            {
                if (_retained) rejection = RejectReason.RetainedWithoutTs;
                ts = _point.HasTs ? _nowMs + ts : _nowMs;
                receiveTime = true;
            }
            if (rejection is null && (ts < _nowMs - _maxAgeMs || ts > _nowMs + _maxFutureMs)) rejection = RejectReason.TsOutOfRange;
        }
        if (rejection is null)
        {
            if (_stream == StreamKind.Event && _point.TypeIndex < 0) rejection = RejectReason.MissingRequired;
            else if (_fields.RequiredIndex >= 0 && !_point.RequiredSeen) rejection = RejectReason.MissingRequired;
            else if (_pointFields.Length == 0)
            {
                if (_stream == StreamKind.Event) _pointFields.Write("n=1i"u8);
                else rejection = RejectReason.NoFields;
            }
        }
        if (rejection is { } reason)
        {
            _findingCount = _point.FindingStart;
            _findingKeysLength = _point.FindingKeysStart;
            AddFinding(reason, default);
            _outcome.ObjectsRejected++;
            return;
        }

        WriteLine(_output!, _point.TypeIndex, ts);
        AddFinding(null, default, _point.Seq, ts);
        _outcome.Points++;
        if (receiveTime) _outcome.ReceiveTimeUsed++;
    }

    /// <summary>Points from now on go to <paramref name="stream"/>'s measurement, with its fields.</summary>
    private void SetStream(StreamKind stream)
    {
        ReadOnlySpan<byte> measurement = stream switch
        {
            StreamKind.Telemetry => "telemetry"u8,
            StreamKind.Event => "events"u8,
            _ => "status"u8,
        };
        _tagPrefixLength = Append(_tagPrefix, Append(_tagPrefix, 0, measurement), _kindSiteTags.AsSpan(0, _kindSiteLength));
        _stream = stream;
        _fields = stream switch
        {
            StreamKind.Telemetry => _kind.Telemetry,
            StreamKind.Event => _catalogue.EventFields,
            _ => _catalogue.StatusFields,
        };
    }

    private void WriteLine(LineBuffer output, int typeIndex, long ts)
    {
        ReadOnlySpan<byte> type = typeIndex >= 0 ? _catalogue.EventTypesUtf8[typeIndex] : default;
        var fields = _pointFields.WrittenSpan;
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

    private void AddFinding(RejectReason? reason, ReadOnlySpan<byte> key, long seq = -1, long timestamp = 0)
    {
        if (_findingCount == _findings.Length) Array.Resize(ref _findings, _findings.Length * 2);
        int keyStart = _findingKeysLength;
        if (!key.IsEmpty)
        {
            if (_findingKeys.Length - keyStart < key.Length) Array.Resize(ref _findingKeys, Math.Max(_findingKeys.Length * 2, keyStart + key.Length));
            key.CopyTo(_findingKeys.AsSpan(keyStart));
            _findingKeysLength += key.Length;
        }
        _findings[_findingCount++] = new Finding(reason, _point.Index, keyStart, key.Length, seq, timestamp);
    }

    /// <summary>An integer, or a float that is exactly one (12.0, 1.2e1).</summary>
    private static bool TryGetInteger(in FieldValue value, out long result)
    {
        double d;
        switch (value.Kind)
        {
            case FieldValueKind.Integer:
                result = value.IntegerValue;
                return true;
            case FieldValueKind.NumberText:
                if (JsonNumber.TryGetInt64(value.Text, out result)) return true;
                if (!JsonNumber.TryGetDouble(value.Text, out d)) return false;
                break;
            case FieldValueKind.Double:
                d = value.DoubleValue;
                break;
            default:
                result = 0;
                return false;
        }
        result = 0;
        if (!double.IsFinite(d) || d != Math.Floor(d) || Math.Abs(d) > (1L << 53)) return false;
        result = (long)d;
        return true;
    }

    private int FindEventType(in FieldValue value)
    {
        if (value.Kind != FieldValueKind.String) return -1;
        var types = _catalogue.EventTypesUtf8;
        for (int i = 0; i < types.Length; i++)
            if (value.Text.SequenceEqual(types[i])) return i;
        return -1;
    }

    /// <summary>
    /// Reserves room for one field and writes its <c>[,]key=</c>; the value goes at <paramref name="at"/>
    /// and the caller advances past both at once.
    /// </summary>
    private Span<byte> BeginField(ReadOnlySpan<byte> escapedKey, int maxValueBytes, out int at)
    {
        var destination = _pointFields.GetSpan(escapedKey.Length + 2 + maxValueBytes);
        at = 0;
        if (_pointFields.Length > 0) destination[at++] = (byte)',';
        escapedKey.CopyTo(destination[at..]);
        at += escapedKey.Length;
        destination[at++] = (byte)'=';
        return destination;
    }

    private void WriteField(ReadOnlySpan<byte> escapedKey, ReadOnlySpan<byte> valueText)
    {
        var destination = BeginField(escapedKey, valueText.Length, out int at);
        valueText.CopyTo(destination[at..]);
        _pointFields.Advance(at + valueText.Length);
    }

    private void WriteIntegerField(ReadOnlySpan<byte> escapedKey, long value)
    {
        var destination = BeginField(escapedKey, PlainNumber.MaxIntegerLength, out int at);
        _pointFields.Advance(at + PlainNumber.WriteInteger(value, destination[at..]));
    }

    private void WriteDoubleField(ReadOnlySpan<byte> escapedKey, double value)
    {
        var destination = BeginField(escapedKey, PlainNumber.MaxDoubleLength, out int at);
        _pointFields.Advance(at + PlainNumber.WriteDouble(value, destination[at..]));
    }

    private bool TryWriteField(in FieldValue value, SignalDefinition signal, bool viaPath)
    {
        switch (signal.Type)
        {
            case SignalType.Float:
                return TryWriteFloat(value, signal, viaPath);
            case SignalType.Int:
            {
                if (!TryGetInteger(value, out long number) || number < signal.Min || number > signal.Max) return false;
                WriteIntegerField(signal.FieldKeyEscaped, number);
                return true;
            }
            case SignalType.Bool:
            {
                bool flag;
                if (value.Kind == FieldValueKind.Boolean) flag = value.BooleanValue;
                else if (viaPath && value.Kind == FieldValueKind.String && TryMapPathString(signal, value.Text, out flag)) { }
                else return false;
                WriteField(signal.FieldKeyEscaped, flag ? "true"u8 : "false"u8);
                return true;
            }
            default:
            {
                if (value.Kind != FieldValueKind.String || !IsAcceptableString(signal, value.Text)) return false;
                var destination = BeginField(signal.FieldKeyEscaped, value.Text.Length * 2 + 2, out int at);
                _pointFields.Advance(at + LineProtocolEscaping.WriteQuotedString(value.Text, destination[at..]));
                return true;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryWriteFloat(in FieldValue value, SignalDefinition signal, bool viaPath)
    {
        double number;
        bool hasExponent = false;
        switch (value.Kind)
        {
            case FieldValueKind.NumberText:
                number = value.DoubleValue;
                if (double.IsNaN(number) && !JsonNumber.TryGetDouble(value.Text, out number, out hasExponent)) return false;
                break;
            case FieldValueKind.Double:
                number = value.DoubleValue;
                break;
            case FieldValueKind.Integer:
                number = value.IntegerValue;
                break;
            default:
                return false;
        }
        if (!double.IsFinite(number)) return false;
        bool scaled = viaPath && signal.PathDivisor != 1;
        if (scaled) number /= signal.PathDivisor;
        if (number < signal.Min || number > signal.Max) return false;
        // A number sent as plain decimal text is already valid line-protocol float text: copy it.
        if (value.Kind == FieldValueKind.NumberText && !scaled && !hasExponent) WriteField(signal.FieldKeyEscaped, value.Text);
        else WriteDoubleField(signal.FieldKeyEscaped, number);
        return true;
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

    /// <summary>Valid UTF-8, no control characters (a newline would end the line), within the length, one of the allowed values if any.</summary>
    private static bool IsAcceptableString(SignalDefinition signal, ReadOnlySpan<byte> value)
    {
        if (!Utf8.IsValid(value) || ContainsControlCharacter(value)) return false;
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

    /// <summary>The builder as readers see it: each call goes straight to the builder.</summary>
    public readonly struct Handler(PointBuilder builder) : IPointHandler
    {
        public void BeginPoint(int index) => builder.BeginPoint(index);
        public void BeginPoint(int index, StreamKind measurement) => builder.BeginPoint(index, measurement);
        public void Timestamp(long unixMs) => builder.Timestamp(unixMs);
        public void RelativeTimestamp(long millisecondsFromReceive) => builder.RelativeTimestamp(millisecondsFromReceive);
        public void TimestampInvalid() => builder.TimestampInvalid();
        public void Field(ReadOnlySpan<byte> key, in FieldValue value) => builder.Field(key, value, key);
        public void Field(ReadOnlySpan<byte> key, in FieldValue value, ReadOnlySpan<byte> keyAsSent) => builder.Field(key, value, keyAsSent);
        public void Field(ReadOnlySpan<byte> key, in FieldValue value, ReadOnlySpan<byte> keyAsSent, ReadOnlySpan<byte> unit) =>
            builder.Field(key, value, keyAsSent, unit);
        public void FieldRefused(RejectReason reason, ReadOnlySpan<byte> keyAsSent) => builder.FieldRefused(reason, keyAsSent);
        public void EndPoint() => builder.EndPoint();
    }
}
