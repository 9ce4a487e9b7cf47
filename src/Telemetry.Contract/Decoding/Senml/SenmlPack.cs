namespace Telemetry.Contract.Decoding.Senml;

/// <summary>
/// What a SenML pack says once its base fields are applied (RFC 8428 section 4): each record's name
/// (<c>bn</c> + <c>n</c>), time (<c>bt</c> + <c>t</c>), unit (<c>u</c>, else <c>bu</c>) and value (<c>v</c> + <c>bv</c>,
/// <c>vs</c>, <c>vb</c>), whichever encoding it came in. The JSON and CBOR readers call the setters field by field;
/// <see cref="Emit{THandler}"/> then hands the records to the point handler, one point per distinct time.
/// One instance per thread: names and strings are copied into a reused buffer, so the reader's own may be reused.
/// Its buffers are pooled (<see cref="PooledArray{T}"/>): a pack larger than usual borrows bigger arrays, which go
/// back to the pool once packs are small again.
/// </summary>
internal sealed class SenmlPack
{
    /// <summary>RFC 8428: times below 2^28 s are relative to the current time.</summary>
    private const double RelativeTimeLimit = 1 << 28;
    private const int SupportedVersion = 10;

    private enum ValueKind : byte { None, Number, String, Boolean, Unsupported }

    private struct Record
    {
        public int NameStart, NameLength, UnitStart, UnitLength, TextStart, TextLength;
        public ValueKind Value;
        public double Number;
        public double Time;
        public int Group, NextInGroup;
    }

    private enum TimeKind : byte { Receive, Relative, Absolute, Invalid }

    private readonly record struct Group(TimeKind Kind, long Ms, int First, int Last);

    private readonly PooledArray<byte> _text = new(4096);
    private int _textLength;
    private readonly PooledArray<Record> _records = new(64);
    private int _recordCount;
    private readonly PooledArray<Group> _groups = new(64);
    private int _groupCount;

    // Base fields: they hold from the record that sets them to the end of the pack.
    private int _baseNameStart, _baseNameLength, _baseUnitStart, _baseUnitLength;
    private double _baseTime, _baseValue;

    // The record being read, field by field (in any order).
    private Record _record;
    private int _nameStart, _nameLength = -1, _unitStart, _unitLength = -1, _valueCount;
    private bool _hasSum;
    private double _time;
    private Label _seen;
    private bool _malformed;

    /// <summary>The labels of RFC 8428 section 4.3 (a bit each, to spot one given twice in a record).</summary>
    [Flags]
    public enum Label
    {
        /// <summary>A must-understand label we do not know.</summary>
        Unknown = -1,
        None = 0, BaseName = 1, BaseTime = 2, BaseUnit = 4, BaseValue = 8, BaseSum = 16, Version = 32,
        Name = 64, Unit = 128, Value = 256, StringValue = 512, BooleanValue = 1024, DataValue = 2048, Sum = 4096, Time = 8192, UpdateTime = 16384,
    }

    /// <summary>
    /// The label a string names (SenML JSON's labels; CBOR's text labels): <see cref="Label.None"/> for an extension we
    /// may ignore, <see cref="Label.Unknown"/> for one that must be understood (it ends in <c>_</c>, RFC 8428 section 12.2).
    /// </summary>
    public static Label LabelOf(ReadOnlySpan<byte> name) => name switch
    {
        [(byte)'b', (byte)'n'] => Label.BaseName,
        [(byte)'b', (byte)'t'] => Label.BaseTime,
        [(byte)'b', (byte)'u'] => Label.BaseUnit,
        [(byte)'b', (byte)'v'] => Label.BaseValue,
        [(byte)'b', (byte)'s'] => Label.BaseSum,
        [(byte)'b', (byte)'v', (byte)'e', (byte)'r'] => Label.Version,
        [(byte)'n'] => Label.Name,
        [(byte)'u'] => Label.Unit,
        [(byte)'v'] => Label.Value,
        [(byte)'v', (byte)'s'] => Label.StringValue,
        [(byte)'v', (byte)'b'] => Label.BooleanValue,
        [(byte)'v', (byte)'d'] => Label.DataValue,
        [(byte)'s'] => Label.Sum,
        [(byte)'t'] => Label.Time,
        [(byte)'u', (byte)'t'] => Label.UpdateTime,
        [.., (byte)'_'] => Label.Unknown,
        _ => Label.None,
    };

    /// <summary>The label of a CBOR integer key (RFC 8428 table 6); <see cref="Label.None"/> for one not in the table.</summary>
    public static Label LabelOf(long cborKey) => cborKey switch
    {
        -1 => Label.Version,
        -2 => Label.BaseName,
        -3 => Label.BaseTime,
        -4 => Label.BaseUnit,
        -5 => Label.BaseValue,
        -6 => Label.BaseSum,
        0 => Label.Name,
        1 => Label.Unit,
        2 => Label.Value,
        3 => Label.StringValue,
        4 => Label.BooleanValue,
        5 => Label.Sum,
        6 => Label.Time,
        7 => Label.UpdateTime,
        8 => Label.DataValue,
        _ => Label.None,
    };

    public void BeginPack()
    {
        // What the previous pack used decides whether arrays it grew go back to the pool.
        _text.Release(_textLength);
        _records.Release(_recordCount);
        _groups.Release(_groupCount);
        _textLength = 0;
        _recordCount = 0;
        _groupCount = 0;
        _baseNameStart = _baseNameLength = _baseUnitStart = _baseUnitLength = 0;
        _baseTime = _baseValue = 0;
        _malformed = false;
    }

    public void BeginRecord()
    {
        _record = default;
        _nameLength = _unitLength = -1;
        _valueCount = 0;
        _hasSum = false;
        _time = 0;
        _seen = Label.None;
    }

    /// <summary>False (and the pack is malformed) when the label was already given in this record.</summary>
    private bool First(Label label)
    {
        if ((_seen & label) != 0) return !(_malformed = true);
        _seen |= label;
        return true;
    }

    /// <summary>A field of the wrong type for SenML's own schema (a name that is not a string, a time that is not a number), or a must-understand field we do not know.</summary>
    public void Malformed() => _malformed = true;

    public bool IsMalformed => _malformed;

    public void BaseName(ReadOnlySpan<byte> utf8)
    {
        if (!First(Label.BaseName)) return;
        (_baseNameStart, _baseNameLength) = Store(utf8);
    }

    public void BaseTime(double seconds)
    {
        if (First(Label.BaseTime)) _baseTime = seconds;
    }

    public void BaseUnit(ReadOnlySpan<byte> utf8)
    {
        if (!First(Label.BaseUnit)) return;
        (_baseUnitStart, _baseUnitLength) = Store(utf8);
    }

    public void BaseValue(double value)
    {
        if (First(Label.BaseValue)) _baseValue = value;
    }

    /// <summary><c>bs</c>: sums are not written, so a base sum changes nothing.</summary>
    public void BaseSum() => First(Label.BaseSum);

    /// <summary><c>bver</c>: above 10, the pack uses fields this reader cannot know (<c>bad_payload</c>).</summary>
    public void Version(double version)
    {
        if (First(Label.Version) && !(version <= SupportedVersion)) _malformed = true;
    }

    public void Name(ReadOnlySpan<byte> utf8)
    {
        if (!First(Label.Name)) return;
        (_nameStart, _nameLength) = Store(utf8);
    }

    public void Unit(ReadOnlySpan<byte> utf8)
    {
        if (!First(Label.Unit)) return;
        (_unitStart, _unitLength) = Store(utf8);
    }

    public void Time(double seconds)
    {
        if (First(Label.Time)) _time = seconds;
    }

    /// <summary><c>ut</c>: how often the sender updates; not written.</summary>
    public void UpdateTime() => First(Label.UpdateTime);

    public void Value(double value)
    {
        if (!First(Label.Value)) return;
        _valueCount++;
        _record.Value = ValueKind.Number;
        _record.Number = value;
    }

    public void StringValue(ReadOnlySpan<byte> utf8)
    {
        if (!First(Label.StringValue)) return;
        _valueCount++;
        _record.Value = ValueKind.String;
        (_record.TextStart, _record.TextLength) = Store(utf8);
    }

    public void BooleanValue(bool value)
    {
        if (!First(Label.BooleanValue)) return;
        _valueCount++;
        _record.Value = ValueKind.Boolean;
        _record.Number = value ? 1 : 0;
    }

    /// <summary><c>vd</c> (data), or <c>v</c>/<c>vs</c>/<c>vb</c> of the wrong type: a value no signal takes (<c>field_invalid</c>).</summary>
    public void UnsupportedValue(Label label)
    {
        if (!First(label)) return;
        _valueCount++;
        _record.Value = ValueKind.Unsupported;
    }

    /// <summary><c>s</c>: sums are not written; a record with only a sum has no value for its signal.</summary>
    public void Sum() => _hasSum = First(Label.Sum);

    /// <summary>Resolves the record against the base fields. A record with only base fields (no name, no value) is not a field.</summary>
    public void EndRecord()
    {
        if (_malformed) return;
        bool hasName = _nameLength >= 0;
        if (!hasName && _valueCount == 0 && !_hasSum) return;

        ref var r = ref _record;
        // The name is bn + n, side by side in the text buffer.
        r.NameStart = _textLength;
        Append(_baseNameStart, _baseNameLength);
        if (hasName) Append(_nameStart, _nameLength);
        r.NameLength = _textLength - r.NameStart;
        (r.UnitStart, r.UnitLength) = _unitLength >= 0 ? (_unitStart, _unitLength) : (_baseUnitStart, _baseUnitLength);
        if (_valueCount != 1) r.Value = ValueKind.Unsupported;
        else if (r.Value == ValueKind.Number) r.Number += _baseValue;
        r.Time = _baseTime + _time;
        r.NextInGroup = -1;

        _records.Grow(_recordCount + 1, _recordCount)[_recordCount++] = r;
    }

    /// <summary>Hands the records to <paramref name="handler"/>: one point per distinct resolved time (in the order first met), its records in pack order.</summary>
    public void Emit<THandler>(ref THandler handler) where THandler : IPointHandler
    {
        for (int i = 0; i < _recordCount; i++) AddToGroup(i);
        var records = _records.Items;
        var text = _text.Items;
        for (int g = 0; g < _groupCount; g++)
        {
            var group = _groups.Items[g];
            handler.BeginPoint(g);
            switch (group.Kind)
            {
                case TimeKind.Absolute: handler.Timestamp(group.Ms); break;
                case TimeKind.Relative: handler.RelativeTimestamp(group.Ms); break;
                case TimeKind.Invalid: handler.TimestampInvalid(); break;
            }
            for (int i = group.First; i >= 0; i = records[i].NextInGroup)
            {
                ref readonly var r = ref records[i];
                var name = text.AsSpan(r.NameStart, r.NameLength);
                var unit = text.AsSpan(r.UnitStart, r.UnitLength);
                switch (r.Value)
                {
                    case ValueKind.Number: handler.Field(name, FieldValue.Double(r.Number), name, unit); break;
                    case ValueKind.Boolean: handler.Field(name, FieldValue.Boolean(r.Number != 0), name, unit); break;
                    case ValueKind.String: handler.Field(name, FieldValue.String(text.AsSpan(r.TextStart, r.TextLength)), name, unit); break;
                    default: handler.Field(name, FieldValue.Unsupported, name, unit); break;
                }
            }
            handler.EndPoint();
        }
    }

    private void AddToGroup(int index)
    {
        var records = _records.Items;
        var (kind, ms) = Resolve(records[index].Time);
        var groups = _groups.Items;
        for (int g = 0; g < _groupCount; g++)
        {
            ref var group = ref groups[g];
            if (group.Kind != kind || group.Ms != ms) continue;
            records[group.Last].NextInGroup = index;
            group = group with { Last = index };
            return;
        }
        _groups.Grow(_groupCount + 1, _groupCount)[_groupCount++] = new Group(kind, ms, index, index);
    }

    /// <summary>Seconds as SenML means them, to the milliseconds of a point; 0 is "now" (the receive time).</summary>
    private static (TimeKind, long) Resolve(double seconds)
    {
        if (seconds == 0) return (TimeKind.Receive, 0);
        double ms = Math.Round(seconds * 1000);
        if (!double.IsFinite(ms) || Math.Abs(ms) >= 9.2e18) return (TimeKind.Invalid, 0);
        return (seconds < RelativeTimeLimit ? TimeKind.Relative : TimeKind.Absolute, (long)ms);
    }

    private (int Start, int Length) Store(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(_text.Grow(_textLength + utf8.Length, _textLength).AsSpan(_textLength));
        _textLength += utf8.Length;
        return (_textLength - utf8.Length, utf8.Length);
    }

    private void Append(int start, int length)
    {
        var text = _text.Grow(_textLength + length, _textLength);
        text.AsSpan(start, length).CopyTo(text.AsSpan(_textLength));
        _textLength += length;
    }
}
