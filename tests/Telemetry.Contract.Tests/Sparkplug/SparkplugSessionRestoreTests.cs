using System.Text;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Sparkplug;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace Telemetry.Contract.Tests.Sparkplug;

/// <summary>What the host keeps across a restart: the certificates it is told (Recorder) and their replay (Restore); and the host's own STATE.</summary>
public class SparkplugSessionRestoreTests
{
    private const long Now = TestCatalogue.Now;
    private const string Site = "laem-chabang";

    private struct CountingSink : IDecodeSink
    {
        public int Points, Rejections;
        public StringBuilder Reasons;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Points++;
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key)
        {
            Rejections++;
            Reasons.Append(reason.Name()).Append(';');
        }
    }

    private static PayloadDecoder NewDecoder() => new(TestCatalogue.Shipped, sparkplug: new SparkplugOptions { HostId = "plant-host" });

    private static (string Topic, byte[] Payload) Message(string type, string node, string? device, Payload payload) =>
        ($"spBv1.0/{Site}/{type}/{node}" + (device is null ? "" : "/" + device), payload.ToByteArray());

    private static CountingSink Send(PayloadDecoder decoder, (string Topic, byte[] Payload) message)
    {
        using var output = new LineBuffer(4096);
        var sink = new CountingSink { Reasons = new StringBuilder() };
        decoder.Decode(message.Topic, message.Payload, false, Now, output, ref sink);
        return sink;
    }

    private static Payload Birth(ulong bdSeq, string? kind)
    {
        var payload = new Payload { Timestamp = Now - 500, Seq = 0 };
        payload.Metrics.Add(new Metric { Name = "bdSeq", Datatype = 8, LongValue = bdSeq });
        if (kind is not null) payload.Metrics.Add(new Metric { Name = "kind", Datatype = 12, StringValue = kind });
        payload.Metrics.Add(new Metric { Name = "load_kg", Alias = 1, Datatype = 9 });
        return payload;
    }

    private static Payload Data(ulong seq) => new() { Timestamp = Now - 100, Seq = seq, Metrics = { new Metric { Alias = 1, FloatValue = 250 } } };

    private static Payload Death(ulong bdSeq) => new() { Metrics = { new Metric { Name = "bdSeq", Datatype = 8, LongValue = bdSeq } } };

    [Fact]
    public void The_recorder_is_told_the_certificates_that_changed_the_sessions_and_nothing_else()
    {
        var decoder = NewDecoder();
        var told = new List<string>();
        decoder.Sparkplug.Recorder = (topic, _) => told.Add(topic.ToString());

        Send(decoder, Message("DBIRTH", "DEPOT-1", "FL-1", Birth(0, "h2forklift"))); // before its node's NBIRTH: changes nothing
        Send(decoder, Message("NBIRTH", "DEPOT-1", null, Birth(3, null)));
        Send(decoder, Message("DBIRTH", "DEPOT-1", "FL-1", Birth(0, "h2forklift")));
        Send(decoder, Message("DDATA", "DEPOT-1", "FL-1", Data(2)));
        Send(decoder, Message("NDEATH", "DEPOT-1", null, Death(2))); // stale: ignored
        Send(decoder, Message("DDEATH", "DEPOT-1", "FL-1", new Payload { Seq = 3 }));
        Send(decoder, Message("NDEATH", "DEPOT-1", null, Death(3)));

        Assert.Equal([$"spBv1.0/{Site}/NBIRTH/DEPOT-1", $"spBv1.0/{Site}/DBIRTH/DEPOT-1/FL-1", $"spBv1.0/{Site}/DDEATH/DEPOT-1/FL-1",
            $"spBv1.0/{Site}/NDEATH/DEPOT-1"], told);
    }

    [Fact]
    public void Restored_certificates_let_a_new_decoder_write_the_data_an_old_one_would_have_written()
    {
        var before = NewDecoder();
        var kept = new List<(string, byte[])>();
        before.Sparkplug.Recorder = (topic, payload) => kept.Add((topic.ToString(), payload.ToArray()));
        Send(before, Message("NBIRTH", "DEPOT-1", null, Birth(3, null)));
        Send(before, Message("DBIRTH", "DEPOT-1", "FL-1", Birth(0, "h2forklift")));

        var fresh = NewDecoder();
        Assert.Equal("sparkplug_no_birth;", Send(fresh, Message("DDATA", "DEPOT-1", "FL-1", Data(2))).Reasons.ToString());

        var after = NewDecoder();
        foreach (var (topic, payload) in kept) after.Sparkplug.Restore(topic, payload, Now);
        var data = Send(after, Message("DDATA", "DEPOT-1", "FL-1", Data(2)));
        Assert.Equal(1, data.Points);
        Assert.Equal(0, data.Rejections);
        Assert.True(after.Sparkplug.TryDescribeVehicle($"spBv1.0/{Site}/DDATA/DEPOT-1/FL-1", out _, out string kind, out _));
        Assert.Equal("h2forklift", kind);
        // Restoring counts nothing and asks for nothing.
        Assert.Equal(0, after.Sparkplug.Counters.Messages(SparkplugMessageType.NBirth));
        Assert.Empty(after.Sparkplug.RebirthRequests);
    }

    [Fact]
    public void A_restored_death_ends_the_session_again()
    {
        var decoder = NewDecoder();
        decoder.Sparkplug.Restore($"spBv1.0/{Site}/NBIRTH/FL-9", Birth(4, "h2forklift").ToByteArray(), Now);
        decoder.Sparkplug.Restore($"spBv1.0/{Site}/NDEATH/FL-9", Death(4).ToByteArray(), Now);
        Assert.Equal("sparkplug_no_birth;", Send(decoder, Message("NDATA", "FL-9", null, Data(1))).Reasons.ToString());
    }

    [Theory]
    [InlineData("plant-host", """{"online":false,"timestamp":1}""", true)]
    [InlineData("plant-host", """{"timestamp":1,"online":false}""", true)]
    [InlineData("plant-host", """{"online":true,"timestamp":1}""", false)]
    [InlineData("plant-host", """{"online":fals""", false)]
    [InlineData("other-host", """{"online":false,"timestamp":1}""", false)]
    public void A_STATE_offline_on_the_hosts_own_id_is_noticed_once(string hostId, string json, bool noticed)
    {
        var decoder = NewDecoder();
        var sink = Send(decoder, ($"spBv1.0/STATE/{hostId}", Encoding.UTF8.GetBytes(json)));
        Assert.Equal(0, sink.Points + sink.Rejections);
        Assert.Equal(noticed, decoder.Sparkplug.TakeOwnStateOffline());
        Assert.False(decoder.Sparkplug.TakeOwnStateOffline());
    }
}
