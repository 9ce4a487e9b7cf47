using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Telemetry.Gateway.Mqtt.Wire;

/// <summary>MQTT 5 control packet types (the high nibble of the first byte).</summary>
internal enum PacketType : byte
{
    Connect = 1, ConnAck = 2, Publish = 3, PubAck = 4, PubRec = 5, PubRel = 6, PubComp = 7,
    Subscribe = 8, SubAck = 9, Unsubscribe = 10, UnsubAck = 11, PingReq = 12, PingResp = 13, Disconnect = 14, Auth = 15,
}

/// <summary>A malformed packet from the broker: the connection cannot go on.</summary>
internal sealed class MqttProtocolException(string message) : Exception(message);

/// <summary>A received PUBLISH; <see cref="Topic"/>, <see cref="ContentType"/> (empty when not set) and <see cref="Payload"/> are slices of the receive buffer.</summary>
internal readonly record struct PublishPacket(int Qos, bool Retain, ushort PacketId, ReadOnlySequence<byte> Topic,
    ReadOnlySequence<byte> ContentType, ReadOnlySequence<byte> Payload);

/// <summary>What the broker said in its CONNACK.</summary>
internal readonly record struct ConnAck(byte ReasonCode, bool SessionPresent, int? ServerKeepAliveSeconds, string? ReasonString);

/// <summary>
/// Encoding and decoding of the MQTT 5 packets a QoS 0/1 subscriber needs (OASIS MQTT 5.0 §3), on spans and
/// sequences, without allocating on the PUBLISH path.
/// </summary>
internal static class MqttWire
{
    public const int PubAckLength = 4;
    public static ReadOnlySpan<byte> PingReq => [0xC0, 0x00];
    public static ReadOnlySpan<byte> NormalDisconnect => [0xE0, 0x00];
    /// <summary>DISCONNECT, normal, with Session Expiry Interval 0 (§3.14.2.2.2): the broker ends the session now.</summary>
    public static ReadOnlySpan<byte> DisconnectEndingSession => [0xE0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00];
    /// <summary>DISCONNECT with reason 0x04, Disconnect with Will Message (§3.14.2.1): the broker publishes the will (the Sparkplug host's STATE offline).</summary>
    public static ReadOnlySpan<byte> DisconnectWithWill => [0xE0, 0x01, 0x04];
    /// <summary><see cref="DisconnectWithWill"/> and Session Expiry Interval 0.</summary>
    public static ReadOnlySpan<byte> DisconnectWithWillEndingSession => [0xE0, 0x07, 0x04, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00];

    /// <summary>Splits the next whole packet off <paramref name="buffer"/>; false when more bytes are needed.</summary>
    public static bool TryReadPacket(ref ReadOnlySequence<byte> buffer, out byte header, out ReadOnlySequence<byte> body)
    {
        header = 0;
        body = default;
        if (buffer.Length < 2) return false;
        var reader = new SequenceReader<byte>(buffer);
        reader.TryRead(out header);
        if (!TryReadVariableInt(ref reader, out int length)) return false;
        if (reader.Remaining < length) return false;
        body = buffer.Slice(reader.Position, length);
        buffer = buffer.Slice(body.End);
        return true;
    }

    public static PacketType TypeOf(byte header) => (PacketType)(header >> 4);

    /// <summary>Variable Byte Integer (§1.5.5): false when the bytes so far are not enough, throws when malformed.</summary>
    public static bool TryReadVariableInt(ref SequenceReader<byte> reader, out int value)
    {
        value = 0;
        for (int shift = 0; shift < 28; shift += 7)
        {
            if (!reader.TryRead(out byte b)) return false;
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return true;
        }
        throw new MqttProtocolException("variable byte integer longer than 4 bytes");
    }

    public static PublishPacket ReadPublish(byte header, ReadOnlySequence<byte> body)
    {
        int qos = (header >> 1) & 3;
        if (qos == 3) throw new MqttProtocolException("PUBLISH with QoS 3");
        var reader = new SequenceReader<byte>(body);
        var topic = ReadBinaryField(ref reader, "PUBLISH topic");
        ushort packetId = 0;
        if (qos > 0)
        {
            if (!reader.TryReadBigEndian(out short id)) throw Truncated("PUBLISH packet id");
            packetId = (ushort)id;
        }
        var contentType = ReadContentType(ref reader);
        return new PublishPacket(qos, (header & 1) != 0, packetId, topic, contentType, body.Slice(reader.Position));
    }

    /// <summary>The PUBLISH properties' Content Type (0x03, §3.3.2.3.9); the others are skipped.</summary>
    private static ReadOnlySequence<byte> ReadContentType(ref SequenceReader<byte> reader)
    {
        if (!TryReadVariableInt(ref reader, out int length) || reader.Remaining < length) throw Truncated("PUBLISH properties");
        var contentType = ReadOnlySequence<byte>.Empty;
        if (length == 0) return contentType;
        var properties = new SequenceReader<byte>(reader.UnreadSequence.Slice(0, length));
        reader.Advance(length);
        while (!properties.End)
        {
            properties.TryRead(out byte id);
            if (id == 0x03) contentType = ReadBinaryField(ref properties, "content type");
            else SkipProperty(ref properties, id);
        }
        return contentType;
    }

    /// <summary>The PUBACK of one of the gateway's own PUBLISHes: its packet id and reason code (0, success, when omitted).</summary>
    public static (ushort PacketId, byte ReasonCode) ReadPubAck(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryReadBigEndian(out short id)) throw Truncated("PUBACK");
        return ((ushort)id, reader.TryRead(out byte reason) ? reason : (byte)0);
    }

    public static ConnAck ReadConnAck(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryRead(out byte flags) || !reader.TryRead(out byte reason)) throw Truncated("CONNACK");
        int? keepAlive = null;
        string? reasonString = null;
        if (reader.Remaining > 0)
        {
            var properties = PropertiesOf(ref reader, "CONNACK");
            while (!properties.End)
            {
                properties.TryRead(out byte id);
                if (id == 0x13 && properties.TryReadBigEndian(out short seconds)) keepAlive = (ushort)seconds;
                else if (id == 0x1F) reasonString = Encoding.UTF8.GetString(ReadBinaryField(ref properties, "reason string"));
                else SkipProperty(ref properties, id);
            }
        }
        return new ConnAck(reason, (flags & 1) != 0, keepAlive, reasonString);
    }

    /// <summary>The packet id of a SUBACK (or UNSUBACK: same layout) and its reason codes, one per filter of the request, in order.</summary>
    public static (ushort PacketId, byte[] ReasonCodes) ReadSubAck(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        if (!reader.TryReadBigEndian(out short id)) throw Truncated("SUBACK");
        SkipProperties(ref reader, "SUBACK");
        if (reader.Remaining == 0) throw Truncated("SUBACK reason code");
        return ((ushort)id, reader.UnreadSequence.ToArray());
    }

    /// <summary>The reason code of a DISCONNECT from the broker (0 when it has none).</summary>
    public static byte ReadDisconnectReason(ReadOnlySequence<byte> body) => body.Length > 0 ? body.FirstSpan[0] : (byte)0;

    public static void WritePubAck(Span<byte> destination, ushort packetId)
    {
        destination[0] = 0x40;
        destination[1] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], packetId);
    }

    /// <summary>
    /// CONNECT (§3.1): clean start off with a session expiry keeps the session across connections. With <paramref name="willTopic"/>,
    /// a will at QoS 1 (retained when <paramref name="willRetain"/>), published by the broker if the connection ends without a normal DISCONNECT.
    /// </summary>
    public static byte[] Connect(string clientId, string username, string password, ushort keepAliveSeconds, uint sessionExpirySeconds, ushort receiveMaximum,
        string? willTopic = null, ReadOnlySpan<byte> willPayload = default, bool willRetain = false)
    {
        var body = new ArrayBufferWriter<byte>(128);
        WriteString(body, "MQTT");
        byte flags = 0;
        if (username.Length > 0) flags |= 0x80;
        if (password.Length > 0) flags |= 0x40;
        if (willTopic is not null) flags |= (byte)(0x04 | 1 << 3 | (willRetain ? 0x20 : 0)); // will flag, will QoS 1, will retain
        Write(body, [5, flags, (byte)(keepAliveSeconds >> 8), (byte)keepAliveSeconds]);
        Span<byte> properties = stackalloc byte[8];
        properties[0] = 0x11;
        BinaryPrimitives.WriteUInt32BigEndian(properties[1..], sessionExpirySeconds);
        properties[5] = 0x21;
        BinaryPrimitives.WriteUInt16BigEndian(properties[6..], receiveMaximum);
        WriteVariableInt(body, properties.Length);
        Write(body, properties);
        WriteString(body, clientId);
        if (willTopic is not null)
        {
            WriteVariableInt(body, 0); // will properties: none
            WriteString(body, willTopic);
            if (willPayload.Length > ushort.MaxValue) throw new ArgumentException("a will payload is at most 65535 bytes");
            Write(body, [(byte)(willPayload.Length >> 8), (byte)willPayload.Length]);
            Write(body, willPayload);
        }
        if (username.Length > 0) WriteString(body, username);
        if (password.Length > 0) WriteString(body, password);
        return Packet(0x10, body.WrittenSpan);
    }

    /// <summary>SUBSCRIBE (§3.8) of the filters, each at <paramref name="qos"/>; retain handling 1: retained messages only for a new subscription.</summary>
    public static byte[] Subscribe(ushort packetId, IReadOnlyList<string> topicFilters, int qos)
    {
        var body = new ArrayBufferWriter<byte>(64);
        Write(body, [(byte)(packetId >> 8), (byte)packetId, 0]);
        foreach (var filter in topicFilters)
        {
            WriteString(body, filter);
            Write(body, [(byte)(qos | 1 << 4)]);
        }
        return Packet(0x82, body.WrittenSpan);
    }

    /// <summary>UNSUBSCRIBE (§3.10) of the filters.</summary>
    public static byte[] Unsubscribe(ushort packetId, IReadOnlyList<string> topicFilters)
    {
        var body = new ArrayBufferWriter<byte>(64);
        Write(body, [(byte)(packetId >> 8), (byte)packetId, 0]);
        foreach (var filter in topicFilters) WriteString(body, filter);
        return Packet(0xA2, body.WrittenSpan);
    }

    /// <summary>PUBLISH (§3.3) at QoS 1, with a Content Type property when <paramref name="contentType"/> is given.</summary>
    public static byte[] Publish(ushort packetId, string topic, ReadOnlySpan<byte> payload, bool retain, string? contentType)
    {
        var body = new ArrayBufferWriter<byte>(topic.Length + payload.Length + 16);
        WriteString(body, topic);
        Write(body, [(byte)(packetId >> 8), (byte)packetId]);
        if (contentType is null)
        {
            WriteVariableInt(body, 0);
        }
        else
        {
            WriteVariableInt(body, 3 + Encoding.UTF8.GetByteCount(contentType));
            Write(body, [0x03]);
            WriteString(body, contentType);
        }
        Write(body, payload);
        return Packet((byte)(0x32 | (retain ? 1 : 0)), body.WrittenSpan);
    }

    private static byte[] Packet(byte header, ReadOnlySpan<byte> body)
    {
        var packet = new ArrayBufferWriter<byte>(body.Length + 5);
        Write(packet, [header]);
        WriteVariableInt(packet, body.Length);
        Write(packet, body);
        return packet.WrittenSpan.ToArray();
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue) throw new ArgumentException($"'{value[..20]}…' is longer than 65535 bytes");
        Write(writer, [(byte)(length >> 8), (byte)length]);
        Encoding.UTF8.GetBytes(value, writer);
    }

    private static void WriteVariableInt(ArrayBufferWriter<byte> writer, int value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            Write(writer, [value > 0 ? (byte)(b | 0x80) : b]);
        } while (value > 0);
    }

    private static void Write(ArrayBufferWriter<byte> writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    private static ReadOnlySequence<byte> ReadBinaryField(ref SequenceReader<byte> reader, string what)
    {
        if (!reader.TryReadBigEndian(out short length) || reader.Remaining < (ushort)length) throw Truncated(what);
        var field = reader.UnreadSequence.Slice(0, (ushort)length);
        reader.Advance((ushort)length);
        return field;
    }

    private static SequenceReader<byte> PropertiesOf(ref SequenceReader<byte> reader, string packet)
    {
        if (!TryReadVariableInt(ref reader, out int length) || reader.Remaining < length) throw Truncated(packet + " properties");
        var properties = new SequenceReader<byte>(reader.UnreadSequence.Slice(0, length));
        reader.Advance(length);
        return properties;
    }

    private static void SkipProperties(ref SequenceReader<byte> reader, string packet)
    {
        if (!TryReadVariableInt(ref reader, out int length) || reader.Remaining < length) throw Truncated(packet + " properties");
        reader.Advance(length);
    }

    /// <summary>Skips one property's value by its identifier's type (§2.2.2.2).</summary>
    private static void SkipProperty(ref SequenceReader<byte> reader, byte id)
    {
        int size = id switch
        {
            0x01 or 0x17 or 0x19 or 0x24 or 0x25 or 0x28 or 0x29 or 0x2A => 1,
            0x13 or 0x21 or 0x22 or 0x23 => 2,
            0x02 or 0x11 or 0x18 or 0x27 => 4,
            0x03 or 0x08 or 0x09 or 0x12 or 0x15 or 0x16 or 0x1A or 0x1C or 0x1F => -1,
            0x26 => -2,
            0x0B => -3,
            _ => throw new MqttProtocolException($"unknown property 0x{id:X2}"),
        };
        if (size > 0)
        {
            if (reader.Remaining < size) throw Truncated($"property 0x{id:X2}");
            reader.Advance(size);
        }
        else if (size == -3)
        {
            if (!TryReadVariableInt(ref reader, out _)) throw Truncated("subscription identifier");
        }
        else
        {
            for (int i = 0; i < -size; i++) ReadBinaryField(ref reader, $"property 0x{id:X2}");
        }
    }

    private static MqttProtocolException Truncated(string what) => new($"{what} truncated");
}
