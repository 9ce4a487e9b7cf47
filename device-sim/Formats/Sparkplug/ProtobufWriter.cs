using System.Buffers.Binary;
using System.Text;

namespace DeviceSim.Formats.Sparkplug;

/// <summary>
/// The protobuf wire format, as much as Sparkplug B payloads need (varints, fixed64, length-delimited fields), written
/// into a reused array. The simulator's own: it shares nothing with the gateway's reader, and the tests read what it
/// writes with Google.Protobuf's generated parser.
/// </summary>
public sealed class ProtobufWriter
{
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2;
    private byte[] _buffer = new byte[1024];

    public int Length { get; private set; }
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;
    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    public void UInt64(int field, ulong value)
    {
        Tag(field, Varint);
        RawVarint(value);
    }

    public void Bool(int field, bool value) => UInt64(field, value ? 1UL : 0UL);

    public void Double(int field, double value)
    {
        Tag(field, Fixed64);
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(Length), value);
        Length += 8;
    }

    public void String(int field, string value)
    {
        Tag(field, LengthDelimited);
        int length = Encoding.UTF8.GetByteCount(value);
        RawVarint((ulong)length);
        Ensure(length);
        Length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
    }

    /// <summary>A nested message (or bytes); returns where its content starts in this buffer.</summary>
    public int Message(int field, ReadOnlySpan<byte> content)
    {
        Tag(field, LengthDelimited);
        RawVarint((ulong)content.Length);
        Ensure(content.Length);
        int start = Length;
        content.CopyTo(_buffer.AsSpan(Length));
        Length += content.Length;
        return start;
    }

    private void Tag(int field, int wireType) => RawVarint((ulong)(field << 3 | wireType));

    private void RawVarint(ulong value)
    {
        Ensure(10);
        for (; value >= 0x80; value >>= 7) _buffer[Length++] = (byte)(value | 0x80);
        _buffer[Length++] = (byte)value;
    }

    private void Ensure(int more)
    {
        if (_buffer.Length - Length < more) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + more));
    }
}
