using System.Buffers;
using System.Text;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Telemetry.Gateway.Mqtt.Wire;

namespace Telemetry.Gateway.Tests;

/// <summary>The wire codec checked against another implementation: MQTTnet's packet formatter encodes what we decode and decodes what we encode.</summary>
public class MqttWireTests
{
    private static readonly MqttPacketFormatterAdapter Mqttnet = new(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65536));

    private static byte[] Encode(MqttPacket packet)
    {
        var buffer = Mqttnet.Encode(packet);
        var bytes = buffer.Packet.ToArray().Concat(buffer.Payload.ToArray()).ToArray();
        Mqttnet.Cleanup();
        return bytes;
    }

    private static MqttPacket DecodeWithMqttnet(byte[] packet)
    {
        var sequence = new ReadOnlySequence<byte>(packet);
        Assert.True(MqttWire.TryReadPacket(ref sequence, out byte header, out var body));
        Assert.Equal(0, sequence.Length);
        return Mqttnet.Decode(new ReceivedMqttPacket(header, new ArraySegment<byte>(body.ToArray()), packet.Length));
    }

    [Fact]
    public void Connect_asks_for_a_persistent_session_with_credentials_and_receive_maximum()
    {
        var connect = Assert.IsType<MqttConnectPacket>(DecodeWithMqttnet(MqttWire.Connect("gw-1", "gateway", "s3cret", 30, 604_800, 65535)));
        Assert.Equal("gw-1", connect.ClientId);
        Assert.Equal("gateway", connect.Username);
        Assert.Equal("s3cret", Encoding.UTF8.GetString(connect.Password));
        Assert.False(connect.CleanSession);
        Assert.Equal(30, connect.KeepAlivePeriod);
        Assert.Equal(604_800u, connect.SessionExpiryInterval);
        Assert.Equal(65535, connect.ReceiveMaximum);
    }

    [Fact]
    public void Connect_without_credentials_sets_no_credential_flags()
    {
        var connect = Assert.IsType<MqttConnectPacket>(DecodeWithMqttnet(MqttWire.Connect("gw", "", "", 0, 0, 100)));
        Assert.Null(connect.Username);
        Assert.Null(connect.Password);
    }

    [Fact]
    public void Subscribe_carries_the_filter_qos_and_retain_handling()
    {
        var subscribe = Assert.IsType<MqttSubscribePacket>(DecodeWithMqttnet(MqttWire.Subscribe(7, ["$share/gateways/fleet/+/+/+/+"], 1)));
        Assert.Equal(7, subscribe.PacketIdentifier);
        var filter = Assert.Single(subscribe.TopicFilters);
        Assert.Equal("$share/gateways/fleet/+/+/+/+", filter.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, filter.QualityOfServiceLevel);
        Assert.Equal(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly, filter.RetainHandling);
    }

    [Fact]
    public void Subscribe_and_unsubscribe_carry_several_filters_in_order()
    {
        string[] filters = ["fleet/+/+/+/+", "spBv1.0/plant-a/#", "spBv1.0/STATE/host-1"];
        var subscribe = Assert.IsType<MqttSubscribePacket>(DecodeWithMqttnet(MqttWire.Subscribe(1, filters, 1)));
        Assert.Equal(filters, subscribe.TopicFilters.Select(f => f.Topic));
        Assert.All(subscribe.TopicFilters, f => Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, f.QualityOfServiceLevel));
        var unsubscribe = Assert.IsType<MqttUnsubscribePacket>(DecodeWithMqttnet(MqttWire.Unsubscribe(1, filters)));
        Assert.Equal(filters, unsubscribe.TopicFilters);
    }

    [Fact]
    public void Connect_with_a_will_carries_its_topic_payload_qos_and_retain()
    {
        var payload = """{"online":false,"timestamp":1795593600123}"""u8.ToArray();
        var connect = Assert.IsType<MqttConnectPacket>(DecodeWithMqttnet(
            MqttWire.Connect("gw-1", "gateway", "s3cret", 30, 604_800, 65535, "spBv1.0/STATE/host-1", payload, willRetain: true)));
        Assert.True(connect.WillFlag);
        Assert.Equal("spBv1.0/STATE/host-1", connect.WillTopic);
        Assert.Equal(payload, connect.WillMessage);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, connect.WillQoS);
        Assert.True(connect.WillRetain);
        Assert.Equal("gateway", connect.Username);
        Assert.Equal("s3cret", Encoding.UTF8.GetString(connect.Password));
        Assert.Equal(604_800u, connect.SessionExpiryInterval);
    }

    [Fact]
    public void Disconnect_with_will_is_reason_4_and_may_end_the_session()
    {
        var withWill = Assert.IsType<MqttDisconnectPacket>(DecodeWithMqttnet(MqttWire.DisconnectWithWill.ToArray()));
        Assert.Equal(MqttDisconnectReasonCode.DisconnectWithWillMessage, withWill.ReasonCode);
        var ending = Assert.IsType<MqttDisconnectPacket>(DecodeWithMqttnet(MqttWire.DisconnectWithWillEndingSession.ToArray()));
        Assert.Equal(MqttDisconnectReasonCode.DisconnectWithWillMessage, ending.ReasonCode);
        Assert.Equal(0u, ending.SessionExpiryInterval);
    }

    [Fact]
    public void PubAck_is_four_bytes_that_mqttnet_reads_as_a_success_for_the_packet_id()
    {
        var bytes = new byte[MqttWire.PubAckLength];
        MqttWire.WritePubAck(bytes, 0xBEEF);
        var ack = Assert.IsType<MqttPubAckPacket>(DecodeWithMqttnet(bytes));
        Assert.Equal(0xBEEF, ack.PacketIdentifier);
        Assert.Equal(MqttPubAckReasonCode.Success, ack.ReasonCode);
    }

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce, false)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce, true)]
    public void Publish_from_mqttnet_with_properties_is_read_back(MqttQualityOfServiceLevel qos, bool retain)
    {
        var payload = Encoding.UTF8.GetBytes("{\"ts\":1767225600000,\"seq\":1,\"soc\":81.5}");
        var bytes = Encode(new MqttPublishPacket
        {
            Topic = "fleet/emoto/EM-000001/telemetry",
            PayloadSegment = payload,
            QualityOfServiceLevel = qos,
            Retain = retain,
            PacketIdentifier = (ushort)(qos == MqttQualityOfServiceLevel.AtMostOnce ? 0 : 4242),
            ContentType = "application/json",
            MessageExpiryInterval = 60,
            UserProperties = [new MqttUserProperty("origin", "test"u8.ToArray().AsMemory())],
            SubscriptionIdentifiers = [12345],
        });
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(MqttWire.TryReadPacket(ref sequence, out byte header, out var body));
        Assert.Equal(PacketType.Publish, MqttWire.TypeOf(header));
        var publish = MqttWire.ReadPublish(header, body);
        Assert.Equal((int)qos, publish.Qos);
        Assert.Equal(retain, publish.Retain);
        Assert.Equal(qos == MqttQualityOfServiceLevel.AtMostOnce ? 0 : 4242, publish.PacketId);
        Assert.Equal("fleet/emoto/EM-000001/telemetry", Encoding.UTF8.GetString(publish.Topic));
        Assert.Equal("application/json", Encoding.UTF8.GetString(publish.ContentType));
        Assert.Equal(payload, publish.Payload.ToArray());
    }

    [Fact]
    public void Publish_without_properties_has_no_content_type()
    {
        var bytes = Encode(new MqttPublishPacket { Topic = "fleet/bkk/emoto/EM-1/status", PayloadSegment = "{}"u8.ToArray(), QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 9 });
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(MqttWire.TryReadPacket(ref sequence, out byte header, out var body));
        var publish = MqttWire.ReadPublish(header, body);
        Assert.True(publish.ContentType.IsEmpty);
        Assert.Equal("{}", Encoding.UTF8.GetString(publish.Payload));
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "application/json")]
    public void Publish_of_the_gateway_is_read_by_mqttnet_as_qos1_with_retain_and_content_type(bool retain, string? contentType)
    {
        var payload = "{\"online\":true}"u8.ToArray();
        var publish = Assert.IsType<MqttPublishPacket>(DecodeWithMqttnet(MqttWire.Publish(0x1234, "spBv1.0/STATE/gw-1", payload, retain, contentType)));
        Assert.Equal("spBv1.0/STATE/gw-1", publish.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, publish.QualityOfServiceLevel);
        Assert.Equal(0x1234, publish.PacketIdentifier);
        Assert.Equal(retain, publish.Retain);
        Assert.Equal(contentType, publish.ContentType);
        Assert.Equal(payload, publish.Payload.ToArray());
    }

    [Fact]
    public void PubAck_from_mqttnet_gives_packet_id_and_reason()
    {
        foreach (var (reason, expected) in new[] { (MqttPubAckReasonCode.Success, (byte)0), (MqttPubAckReasonCode.NotAuthorized, (byte)0x87) })
        {
            var bytes = Encode(new MqttPubAckPacket { PacketIdentifier = 77, ReasonCode = reason });
            var sequence = new ReadOnlySequence<byte>(bytes);
            Assert.True(MqttWire.TryReadPacket(ref sequence, out byte header, out var body));
            Assert.Equal(PacketType.PubAck, MqttWire.TypeOf(header));
            Assert.Equal(((ushort)77, expected), MqttWire.ReadPubAck(body));
        }
    }

    [Fact]
    public void ConnAck_gives_reason_session_present_keep_alive_and_reason_string()
    {
        var bytes = Encode(new MqttConnAckPacket
        {
            ReasonCode = MqttConnectReasonCode.Success,
            IsSessionPresent = true,
            ServerKeepAlive = 45,
            ReasonString = "welcome",
            AssignedClientIdentifier = "abc",
            ReceiveMaximum = 100,
            UserProperties = [new MqttUserProperty("k", "v"u8.ToArray().AsMemory())],
        });
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(MqttWire.TryReadPacket(ref sequence, out _, out var body));
        var connAck = MqttWire.ReadConnAck(body);
        Assert.Equal(0, connAck.ReasonCode);
        Assert.True(connAck.SessionPresent);
        Assert.Equal(45, connAck.ServerKeepAliveSeconds);
        Assert.Equal("welcome", connAck.ReasonString);
    }

    [Fact]
    public void SubAck_gives_the_packet_id_and_reason_code()
    {
        var bytes = Encode(new MqttSubAckPacket { PacketIdentifier = 1, ReasonCodes = [MqttSubscribeReasonCode.GrantedQoS1, MqttSubscribeReasonCode.NotAuthorized] });
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(MqttWire.TryReadPacket(ref sequence, out _, out var body));
        var (packetId, reasons) = MqttWire.ReadSubAck(body);
        Assert.Equal(1, packetId);
        Assert.Equal([0x01, 0x87], reasons);
    }

    [Fact]
    public void A_stream_split_at_every_byte_yields_the_same_packets()
    {
        var packets = Enumerable.Range(0, 5).Select(i => Encode(new MqttPublishPacket
        {
            Topic = $"fleet/bus/BUS-{i:D4}/telemetry",
            PayloadSegment = Encoding.UTF8.GetBytes(new string('x', 100 + i * 70)),
            QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
            PacketIdentifier = (ushort)(i + 1),
        })).ToList();
        var stream = packets.SelectMany(p => p).ToArray();
        for (int split = 1; split < stream.Length; split++)
        {
            var sequence = TwoSegments(stream, split);
            var ids = new List<int>();
            while (MqttWire.TryReadPacket(ref sequence, out byte header, out var body))
            {
                var publish = MqttWire.ReadPublish(header, body);
                ids.Add(publish.PacketId);
                Assert.Equal(100 + (publish.PacketId - 1) * 70, publish.Payload.Length);
                Assert.Equal($"fleet/bus/BUS-{publish.PacketId - 1:D4}/telemetry", Encoding.UTF8.GetString(publish.Topic));
            }
            Assert.Equal([1, 2, 3, 4, 5], ids);
            Assert.Equal(0, sequence.Length);
        }
    }

    [Fact]
    public void An_incomplete_packet_waits_for_more_bytes()
    {
        var bytes = Encode(new MqttPublishPacket { Topic = "a/b", PayloadSegment = new byte[300] });
        for (int length = 0; length < bytes.Length; length++)
        {
            var sequence = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(MqttWire.TryReadPacket(ref sequence, out _, out _));
            Assert.Equal(length, sequence.Length);
        }
    }

    [Fact]
    public void Malformed_packets_are_refused_with_a_reason()
    {
        var tooLong = new ReadOnlySequence<byte>(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 });
        Assert.Contains("longer than 4 bytes", Assert.Throws<MqttProtocolException>(() => MqttWire.TryReadPacket(ref tooLong, out _, out _)).Message);
        var truncatedTopic = new ReadOnlySequence<byte>(new byte[] { 0x00, 0x10, (byte)'a' });
        Assert.Contains("topic truncated", Assert.Throws<MqttProtocolException>(() => MqttWire.ReadPublish(0x30, truncatedTopic)).Message);
        Assert.Contains("QoS 3", Assert.Throws<MqttProtocolException>(() => MqttWire.ReadPublish(0x36, new ReadOnlySequence<byte>(new byte[4]))).Message);
        var badProperty = new ReadOnlySequence<byte>(new byte[] { 0x00, 0x00, 0x02, 0x7F, 0x00 });
        Assert.Contains("unknown property 0x7F", Assert.Throws<MqttProtocolException>(() => MqttWire.ReadConnAck(badProperty)).Message);
    }

    internal static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split), 0);
        var second = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
