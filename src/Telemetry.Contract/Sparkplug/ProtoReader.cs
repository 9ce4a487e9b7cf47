using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace Telemetry.Contract.Sparkplug;

/// <summary>The protobuf wire types; 3 and 4 are the deprecated groups, 6 and 7 do not exist.</summary>
internal enum WireType : byte { Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 }

/// <summary>
/// Forward reader of protobuf wire format over a span: tags, varints, fixed32/64 and length-delimited
/// fields as slices of the input. Nothing is copied or allocated; every read checks the bounds and
/// answers with a <see cref="PayloadError"/> instead of throwing.
/// </summary>
/// <remarks>
/// Varints are read as Google.Protobuf reads them: at most ten bytes, bits beyond 64 dropped, and a
/// 32-bit field keeps the low 32 bits of what was sent (a negative int32 is sent in ten bytes).
/// </remarks>
internal ref struct ProtoReader
{
    private const int MaxVarintBytes = 10;
    private const uint MaxFieldNumber = (1u << 29) - 1;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool AtEnd => _position >= _data.Length;
    public readonly int Position => _position;

    public PayloadError ReadTag(out uint fieldNumber, out WireType wireType)
    {
        var error = ReadVarint(out ulong tag);
        fieldNumber = (uint)tag >> 3;
        wireType = (WireType)(tag & 7);
        if (error != PayloadError.None) return error;
        if (fieldNumber == 0 || fieldNumber > MaxFieldNumber) return PayloadError.InvalidTag;
        return (byte)wireType is 6 or 7 ? PayloadError.UnsupportedWireType : PayloadError.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PayloadError ReadVarint(out ulong value)
    {
        if (_position < _data.Length && _data[_position] < 0x80)
        {
            value = _data[_position++];
            return PayloadError.None;
        }
        return ReadLongVarint(out value);
    }

    private PayloadError ReadLongVarint(out ulong value)
    {
        value = 0;
        for (int i = 0, shift = 0; i < MaxVarintBytes; i++, shift += 7)
        {
            if (_position >= _data.Length) return PayloadError.TruncatedVarint;
            byte b = _data[_position++];
            if (shift < 64) value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return PayloadError.None;
        }
        return PayloadError.OverlongVarint;
    }

    public PayloadError ReadFixed32(out uint value)
    {
        var error = TakeFixed(4, out var bytes);
        value = error == PayloadError.None ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : 0;
        return error;
    }

    public PayloadError ReadFixed64(out ulong value)
    {
        var error = TakeFixed(8, out var bytes);
        value = error == PayloadError.None ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : 0;
        return error;
    }

    private PayloadError TakeFixed(int size, out ReadOnlySpan<byte> bytes)
    {
        if (_data.Length - _position < size)
        {
            bytes = default;
            _position = _data.Length;
            return PayloadError.TruncatedFixed;
        }
        bytes = _data.Slice(_position, size);
        _position += size;
        return PayloadError.None;
    }

    public PayloadError ReadLengthDelimited(out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        var error = ReadVarint(out ulong length);
        if (error != PayloadError.None) return error;
        if (length > (ulong)(_data.Length - _position)) return PayloadError.LengthPastEnd;
        bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        return PayloadError.None;
    }

    /// <summary>A length-delimited field declared <c>string</c>: valid UTF-8 or <see cref="PayloadError.InvalidUtf8"/>.</summary>
    public PayloadError ReadString(out ReadOnlySpan<byte> utf8)
    {
        var error = ReadLengthDelimited(out utf8);
        if (error == PayloadError.None && !Utf8.IsValid(utf8)) return PayloadError.InvalidUtf8;
        return error;
    }

    /// <summary>Reads the value of a field of the given wire type into <paramref name="value"/> (its bits) or <paramref name="bytes"/>.</summary>
    public PayloadError ReadValue(WireType wireType, out ulong value, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        value = 0;
        switch (wireType)
        {
            case WireType.Varint: return ReadVarint(out value);
            case WireType.Fixed64: return ReadFixed64(out value);
            case WireType.Fixed32:
                var error = ReadFixed32(out uint bits);
                value = bits;
                return error;
            case WireType.LengthDelimited: return ReadLengthDelimited(out bytes);
            default: return PayloadError.UnsupportedWireType; // groups: deprecated since proto3, never used by Sparkplug
        }
    }
}
