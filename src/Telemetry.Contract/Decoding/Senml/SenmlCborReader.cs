namespace Telemetry.Contract.Decoding.Senml;

/// <summary>
/// SenML CBOR (RFC 8428 section 6): an array of record maps keyed by the integer labels of table 6 (text
/// labels are read as in JSON). Reads the payload bytes in place with <see cref="CborSpanReader"/> into a
/// <see cref="SenmlPack"/> and hands its points to the handler. One instance per thread.
/// </summary>
internal sealed class SenmlCborReader
{
    private readonly SenmlPack _pack = new();
    // Indefinite-length text joined from its chunks; rarely more than a name long, so a grown array goes back at the next pack.
    private readonly PooledArray<byte> _scratch = new(256);

    /// <returns>null when read; <c>bad_payload</c> when it is not well-formed CBOR or not a SenML pack</returns>
    public RejectReason? Read<THandler>(ReadOnlySpan<byte> payload, ref THandler handler) where THandler : IPointHandler
    {
        _pack.BeginPack();
        _scratch.Release(0);
        var cbor = new CborSpanReader(payload);
        if (!cbor.TryPeek(out var major) || major != CborSpanReader.Major.Array || !cbor.TryReadHead(out _, out ulong records))
            return RejectReason.BadPayload;
        for (ulong i = 0; records == CborSpanReader.Indefinite ? !cbor.TryReadBreak() : i < records; i++)
        {
            if (!cbor.TryPeek(out major)) return RejectReason.BadPayload;
            if (major != CborSpanReader.Major.Map)
            {
                _pack.Malformed();
                if (!cbor.TrySkip()) return RejectReason.BadPayload;
                continue;
            }
            if (!TryReadRecord(ref cbor)) return RejectReason.BadPayload;
        }
        if (!cbor.AtEnd || _pack.IsMalformed) return RejectReason.BadPayload;
        _pack.Emit(ref handler);
        return null;
    }

    /// <summary>False when the CBOR is not well-formed.</summary>
    private bool TryReadRecord(ref CborSpanReader cbor)
    {
        if (!cbor.TryReadHead(out _, out ulong fields)) return false;
        _pack.BeginRecord();
        for (ulong i = 0; fields == CborSpanReader.Indefinite ? !cbor.TryReadBreak() : i < fields; i++)
        {
            if (!TryReadLabel(ref cbor, out var label) || !TryReadField(ref cbor, label)) return false;
        }
        _pack.EndRecord();
        return true;
    }

    private bool TryReadLabel(ref CborSpanReader cbor, out SenmlPack.Label label)
    {
        label = SenmlPack.Label.None;
        if (!cbor.TryReadIntegerKey(out long key, out bool isInteger)) return false;
        if (isInteger)
        {
            label = SenmlPack.LabelOf(key);
            return true;
        }
        if (!cbor.TryReadText(_scratch, out var name, out bool isText)) return false;
        // A key that is neither an integer nor a text string: not a SenML label, and not one to ignore.
        label = isText ? SenmlPack.LabelOf(name) : SenmlPack.Label.Unknown;
        return true;
    }

    private bool TryReadField(ref CborSpanReader cbor, SenmlPack.Label label)
    {
        ReadOnlySpan<byte> text;
        bool isText, isNumber, isBoolean;
        double number;
        switch (label)
        {
            case SenmlPack.Label.BaseName or SenmlPack.Label.BaseUnit or SenmlPack.Label.Name or SenmlPack.Label.Unit or SenmlPack.Label.StringValue:
                if (!cbor.TryReadText(_scratch, out text, out isText)) return false;
                if (!isText)
                {
                    if (label == SenmlPack.Label.StringValue) _pack.UnsupportedValue(label);
                    else _pack.Malformed();
                }
                else if (label == SenmlPack.Label.BaseName) _pack.BaseName(text);
                else if (label == SenmlPack.Label.BaseUnit) _pack.BaseUnit(text);
                else if (label == SenmlPack.Label.Name) _pack.Name(text);
                else if (label == SenmlPack.Label.Unit) _pack.Unit(text);
                else _pack.StringValue(text);
                return true;
            case SenmlPack.Label.BaseTime or SenmlPack.Label.BaseValue or SenmlPack.Label.Version or SenmlPack.Label.Time
                or SenmlPack.Label.Value or SenmlPack.Label.Sum or SenmlPack.Label.BaseSum or SenmlPack.Label.UpdateTime:
                if (!cbor.TryReadNumber(out number, out isNumber)) return false;
                if (!isNumber)
                {
                    if (label == SenmlPack.Label.Value) _pack.UnsupportedValue(label);
                    else _pack.Malformed();
                }
                else if (label == SenmlPack.Label.BaseTime) _pack.BaseTime(number);
                else if (label == SenmlPack.Label.BaseValue) _pack.BaseValue(number);
                else if (label == SenmlPack.Label.Version) _pack.Version(number);
                else if (label == SenmlPack.Label.Time) _pack.Time(number);
                else if (label == SenmlPack.Label.Value) _pack.Value(number);
                else if (label == SenmlPack.Label.Sum) _pack.Sum();
                else if (label == SenmlPack.Label.BaseSum) _pack.BaseSum();
                else _pack.UpdateTime();
                return true;
            case SenmlPack.Label.BooleanValue:
                if (!cbor.TryReadBoolean(out bool flag, out isBoolean)) return false;
                if (isBoolean) _pack.BooleanValue(flag);
                else _pack.UnsupportedValue(label);
                return true;
            case SenmlPack.Label.DataValue:
                _pack.UnsupportedValue(label);
                return cbor.TrySkip();
            case SenmlPack.Label.Unknown:
                _pack.Malformed();
                return cbor.TrySkip();
            default:
                return cbor.TrySkip();
        }
    }
}
