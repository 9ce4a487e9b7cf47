using System.Buffers.Binary;
using System.Text.Unicode;

namespace Telemetry.Contract.Decoding.Senml;

/// <summary>
/// A forward reader of CBOR (RFC 8949) over the payload bytes in place: the few item kinds a SenML pack is made
/// of, and skipping anything else. Each method returns false on input that is not well-formed CBOR (truncated,
/// reserved additional information, a break where none may be, text that is not UTF-8) and then the reader
/// must not be used further. Definite-length strings are slices of the payload; nothing is allocated.
/// </summary>
internal ref struct CborSpanReader(ReadOnlySpan<byte> data)
{
    private const int MaxSkipDepth = 16;
    private readonly ReadOnlySpan<byte> _data = data;
    private int _at;

    public enum Major : byte { Unsigned, Negative, ByteString, TextString, Array, Map, Tag, Simple }

    /// <summary>The argument of an indefinite-length item (additional information 31).</summary>
    public const ulong Indefinite = ulong.MaxValue;

    public readonly bool AtEnd => _at == _data.Length;

    /// <summary>The next item's major type, without reading it (after any tags, which are skipped: SenML gives them no meaning).</summary>
    public bool TryPeek(out Major major)
    {
        major = default;
        while (_at < _data.Length)
        {
            major = (Major)(_data[_at] >> 5);
            if (major != Major.Tag) return true;
            if (!TryReadHead(out _, out _)) return false;
        }
        return false;
    }

    /// <summary>A break (0xFF) that ends an indefinite-length array or map; false (and nothing read) when the next byte is not one.</summary>
    public bool TryReadBreak()
    {
        if (_at >= _data.Length || _data[_at] != 0xFF) return false;
        _at++;
        return true;
    }

    /// <summary>The initial byte and its argument; <see cref="Indefinite"/> for additional information 31 on a string, array or map.</summary>
    public bool TryReadHead(out Major major, out ulong argument)
    {
        major = default;
        argument = 0;
        if (_at >= _data.Length) return false;
        byte initial = _data[_at++];
        major = (Major)(initial >> 5);
        int info = initial & 0x1F;
        int size;
        switch (info)
        {
            case < 24:
                argument = (ulong)info;
                return true;
            case 24: size = 1; break;
            case 25: size = 2; break;
            case 26: size = 4; break;
            case 27: size = 8; break;
            case 31:
                argument = Indefinite;
                // Only strings, arrays and maps have an indefinite length; 0xFF (a break) is read by TryReadBreak.
                return major is Major.ByteString or Major.TextString or Major.Array or Major.Map;
            default:
                return false;
        }
        if (_data.Length - _at < size) return false;
        var bytes = _data.Slice(_at, size);
        argument = size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            4 => BinaryPrimitives.ReadUInt32BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt64BigEndian(bytes),
        };
        _at += size;
        return true;
    }

    /// <summary>An integer (major 0 or 1) or a float (half, single, double) as a double; <paramref name="isNumber"/> false for another item, which is skipped.</summary>
    public bool TryReadNumber(out double value, out bool isNumber)
    {
        value = 0;
        isNumber = false;
        if (!TryPeek(out var major)) return false;
        if (major is Major.Unsigned or Major.Negative)
        {
            if (!TryReadHead(out _, out ulong argument)) return false;
            value = major == Major.Unsigned ? argument : -1.0 - argument;
            isNumber = true;
            return true;
        }
        if (major == Major.Simple && _data[_at] is >= 0xF9 and <= 0xFB)
        {
            byte initial = _data[_at];
            int size = initial == 0xF9 ? 2 : initial == 0xFA ? 4 : 8;
            if (_data.Length - _at - 1 < size) return false;
            var bytes = _data.Slice(_at + 1, size);
            value = size switch
            {
                2 => (double)BinaryPrimitives.ReadHalfBigEndian(bytes),
                4 => BinaryPrimitives.ReadSingleBigEndian(bytes),
                _ => BinaryPrimitives.ReadDoubleBigEndian(bytes),
            };
            _at += 1 + size;
            isNumber = true;
            return true;
        }
        return TrySkip();
    }

    /// <summary>
    /// A text string: a slice of the payload, or (indefinite length) its chunks joined in <paramref name="scratch"/>;
    /// <paramref name="isText"/> false for another item, which is skipped. Text that is not UTF-8 is not well-formed here.
    /// </summary>
    internal bool TryReadText(PooledArray<byte> scratch, out ReadOnlySpan<byte> text, out bool isText)
    {
        text = default;
        isText = false;
        if (!TryPeek(out var major)) return false;
        if (major != Major.TextString) return TrySkip();
        if (!TryReadHead(out _, out ulong length)) return false;
        if (length != Indefinite)
        {
            if (!TryTake(length, out text)) return false;
        }
        else
        {
            int joined = 0;
            while (!TryReadBreak())
            {
                // Each chunk is a definite-length text string.
                if (!TryReadHead(out var chunkMajor, out ulong chunkLength) || chunkMajor != Major.TextString || chunkLength == Indefinite
                    || !TryTake(chunkLength, out var chunk)) return false;
                chunk.CopyTo(scratch.Grow(joined + chunk.Length, joined).AsSpan(joined));
                joined += chunk.Length;
            }
            text = scratch.Items.AsSpan(0, joined);
        }
        isText = true;
        return Utf8.IsValid(text);
    }

    /// <summary>true or false (simple values 20, 21); <paramref name="isBoolean"/> false for another item, which is skipped.</summary>
    public bool TryReadBoolean(out bool value, out bool isBoolean)
    {
        value = isBoolean = false;
        if (!TryPeek(out _)) return false;
        byte initial = _data[_at];
        if (initial is 0xF4 or 0xF5)
        {
            value = initial == 0xF5;
            isBoolean = true;
            _at++;
            return true;
        }
        return TrySkip();
    }

    /// <summary>An integer key as a long (a map key of SenML CBOR); <paramref name="isInteger"/> false for another item, left unread.</summary>
    public bool TryReadIntegerKey(out long key, out bool isInteger)
    {
        key = 0;
        isInteger = false;
        if (!TryPeek(out var major)) return false;
        if (major is not (Major.Unsigned or Major.Negative)) return true;
        if (!TryReadHead(out _, out ulong argument)) return false;
        // Keys beyond the long range are not SenML labels: any value that is not one of them will do.
        key = argument > long.MaxValue ? long.MinValue : major == Major.Unsigned ? (long)argument : -1 - (long)argument;
        isInteger = true;
        return true;
    }

    /// <summary>Skips one whole item (nested ones too, up to a sane depth).</summary>
    public bool TrySkip(int depth = 0)
    {
        int start = _at;
        if (depth > MaxSkipDepth || !TryReadHead(out var major, out ulong argument)) return false;
        switch (major)
        {
            case Major.Unsigned or Major.Negative:
                return true;
            case Major.ByteString or Major.TextString:
                if (argument != Indefinite) return TryTake(argument, out _);
                while (!TryReadBreak())
                    if (!TryReadHead(out var chunkMajor, out ulong chunkLength) || chunkMajor != major || chunkLength == Indefinite
                        || !TryTake(chunkLength, out _)) return false;
                return true;
            case Major.Array or Major.Map:
                if (argument == Indefinite)
                {
                    while (!TryReadBreak())
                        if (!TrySkip(depth + 1)) return false;
                    return true;
                }
                if (argument > (ulong)(_data.Length - _at)) return false; // each item takes one byte at least
                ulong items = major == Major.Map ? argument * 2 : argument;
                for (ulong i = 0; i < items; i++)
                    if (!TrySkip(depth + 1)) return false;
                return true;
            case Major.Tag:
                return TrySkip(depth + 1);
            default:
                // Simple values and floats: the argument was the value (or its bytes); a one-byte simple value below 32 is not well-formed.
                return !(_data[start] == 0xF8 && argument < 32);
        }
    }

    private bool TryTake(ulong length, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (length > (ulong)(_data.Length - _at)) return false;
        bytes = _data.Slice(_at, (int)length);
        _at += (int)length;
        return true;
    }
}
