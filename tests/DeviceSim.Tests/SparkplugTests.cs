using DeviceSim.Fleet;
using DeviceSim.Formats;
using DeviceSim.Formats.Sparkplug;
using DeviceSim.Publishing;
using DeviceSim.Simulation;
using DeviceSim.Vehicles;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace DeviceSim.Tests;

/// <summary>What <c>--format sparkplug</c> publishes, read with Google.Protobuf's parser generated from the specification's .proto.</summary>
public class SparkplugTests
{
    private static Payload Parse(SimulatedRun.PublishedLine line) => Payload.Parser.ParseFrom(line.Bytes);

    private static string[] Segments(SimulatedRun.PublishedLine line) => line.Topic.Split('/');

    [Fact]
    public async Task Edge_nodes_are_born_with_bdSeq_kind_and_aliases_send_data_by_alias_and_count_seq_per_node()
    {
        var run = await SimulatedRun.RunAsync(SimulatedRun.Options(emoto: 2, bus: 1, truck: 1, forklift: 3, span: "3h", format: PayloadFormat.Sparkplug,
            faults: "duplicate_field=0"));
        var sparkplug = run.Lines.Where(l => l.Topic.StartsWith("spBv1.0/", StringComparison.Ordinal)).ToList();
        Assert.All(sparkplug, l => Assert.False(l.Retain));
        // Events stay JSON on the fleet topics; there is no status topic: BIRTH and DEATH are the status.
        Assert.All(run.Lines.Except(sparkplug), l => Assert.EndsWith("/event", l.Topic));

        var kinds = run.Result.Vehicles.ToDictionary(v => v.Spec.Id, v => v.Spec.Kind);
        var nextSeq = new Dictionary<string, ulong>();
        var bdSeqs = new Dictionary<string, ulong>();
        foreach (var line in sparkplug)
        {
            var s = Segments(line);
            var (group, type, node) = (s[1], s[2], s[3]);
            var payload = Parse(line);
            string vehicle = s.Length == 5 ? s[4] : node;
            switch (type)
            {
                case "NBIRTH":
                    Assert.Equal(0UL, payload.Seq);
                    var bdSeq = Assert.Single(payload.Metrics, m => m.Name == "bdSeq");
                    Assert.Equal(8U, bdSeq.Datatype);
                    Assert.Equal(bdSeqs.GetValueOrDefault(node, bdSeq.LongValue), bdSeq.LongValue); // one connection, one bdSeq
                    bdSeqs[node] = bdSeq.LongValue;
                    Assert.Contains(payload.Metrics, m => m.Name == "Node Control/Rebirth" && m.Datatype == 11);
                    if (node.StartsWith("DEPOT-", StringComparison.Ordinal)) Assert.DoesNotContain(payload.Metrics, m => m.Name == "kind");
                    else AssertVehicleBirth(payload, kinds[node]);
                    nextSeq[node] = 1;
                    continue;
                case "DBIRTH":
                    Assert.StartsWith("DEPOT-", node);
                    Assert.Equal(VehicleKind.H2Forklift, kinds[vehicle]);
                    AssertVehicleBirth(payload, kinds[vehicle]);
                    break;
                case "NDATA" or "DDATA":
                    Assert.All(payload.Metrics, m => Assert.False(m.HasName, $"{line.Topic}: {m.Name} by name"));
                    Assert.Contains(payload.Metrics, m => m.Alias == MetricTable.SeqAlias);
                    break;
                case "NDEATH":
                    Assert.Equal(bdSeqs[node], Assert.Single(payload.Metrics, m => m.Name == "bdSeq").LongValue);
                    Assert.False(payload.HasSeq);
                    continue;
                case "DDEATH":
                    break;
                default:
                    Assert.Fail($"unexpected {line.Topic}");
                    break;
            }
            Assert.Equal(run.Result.Vehicles.First(v => v.Spec.Id == vehicle).Spec.Site.Name, group);
            Assert.Equal(nextSeq[node], payload.Seq);
            nextSeq[node] = (nextSeq[node] + 1) & 0xFF;
        }
        Assert.Equal(2 + 1 + 1 + 3, run.Lines.Count(l => l.Topic.Contains("BIRTH")) - bdSeqs.Keys.Count(n => n.StartsWith("DEPOT-", StringComparison.Ordinal)));
        Assert.All(bdSeqs.Keys, node => Assert.Contains(sparkplug, l => l.Topic == $"spBv1.0/{Segments(l)[1]}/NDEATH/{node}"));
        Assert.Equal(3, sparkplug.Count(l => Segments(l)[2] == "DDEATH"));
    }

    private static void AssertVehicleBirth(Payload payload, string kind)
    {
        Assert.Equal(kind, Assert.Single(payload.Metrics, m => m.Name == "kind").StringValue);
        var seq = Assert.Single(payload.Metrics, m => m.Name == "seq");
        Assert.Equal((7U, MetricTable.SeqAlias), (seq.Datatype, seq.Alias));
        var declared = payload.Metrics.Where(m => m.Name is not ("kind" or "bdSeq" or "Node Control/Rebirth")).ToList();
        Assert.True(declared.Count > 10);
        Assert.All(declared, m => Assert.True(m.HasAlias && m.HasDatatype, m.Name));
        Assert.Equal(declared.Count, declared.Select(m => m.Alias).Distinct().Count());
    }

    [Fact]
    public async Task Each_sparkplug_fault_is_what_the_manifest_says_it_is()
    {
        var run = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "12h", format: PayloadFormat.Sparkplug,
            faults: "unknown_alias=0.02,data_before_birth=0.02,wrong_bdseq=0.02,truncated=0.02,bad_topic=0.02"));
        var m = run.Result.Manifest;
        var counts = run.Result.FormatCounts;

        // A host's view, rebuilt here from the decoded messages: which sessions are open, with which bdSeq.
        var bornNodes = new Dictionary<string, ulong>();
        var bornDevices = new HashSet<string>();
        long unknownAlias = 0, noBirth = 0, staleDeaths = 0, badTopic = 0, unreadable = 0;
        foreach (var line in run.Lines.Where(l => l.Topic.StartsWith("spBv1.0/", StringComparison.Ordinal)))
        {
            var s = Segments(line);
            bool validTopic = s.Length is 4 or 5 && s[1].Length > 0 && s[1] == s[1].ToLowerInvariant()
                && s[2] is "NBIRTH" or "NDEATH" or "NDATA" or "DBIRTH" or "DDEATH" or "DDATA" && s[2][0] == (s.Length == 5 ? 'D' : 'N')
                && s.Skip(3).All(id => id.Length > 0 && !id.Contains(':'));
            if (!validTopic)
            {
                badTopic++;
                continue;
            }
            Payload payload;
            try { payload = Parse(line); }
            catch (InvalidProtocolBufferException) { unreadable++; continue; }
            string node = s[3], device = s.Length == 5 ? s[3] + "/" + s[4] : "";
            ulong? bdSeq = payload.Metrics.FirstOrDefault(x => x.Name == "bdSeq")?.LongValue;
            switch (s[2])
            {
                case "NBIRTH":
                    bornNodes[node] = bdSeq!.Value;
                    bornDevices.RemoveWhere(d => d.StartsWith(node + "/", StringComparison.Ordinal));
                    break;
                case "DBIRTH": bornDevices.Add(device); break;
                case "DDEATH": bornDevices.Remove(device); break;
                case "NDEATH":
                    if (bornNodes.TryGetValue(node, out var current) && current == bdSeq) bornNodes.Remove(node);
                    else staleDeaths++;
                    break;
                default:
                    if (!bornNodes.ContainsKey(node) || (device.Length > 0 && !bornDevices.Contains(device))) noBirth++;
                    else if (payload.Metrics.Any(x => !x.HasName && x.Alias == SparkplugPayloadWriter.UndeclaredAlias)) unknownAlias++;
                    break;
            }
        }
        Assert.True(unknownAlias > 10 && noBirth > 10 && staleDeaths > 10 && badTopic > 10 && unreadable > 10);
        Assert.Equal(m.Rejections.GetValueOrDefault("sparkplug_unknown_alias"), unknownAlias);
        Assert.Equal(m.Rejections.GetValueOrDefault("sparkplug_no_birth"), noBirth);
        Assert.Equal(m.Rejections.GetValueOrDefault("bad_topic"), badTopic);
        Assert.Equal(m.Rejections.GetValueOrDefault("bad_payload"), unreadable);
        Assert.Equal(counts["stale_ndeaths"], staleDeaths);
        Assert.Equal(run.Result.Faults[Faults.FaultKind.WrongBdSeq], staleDeaths);
        Assert.Equal(run.Result.Faults[Faults.FaultKind.DataBeforeBirth], noBirth);
        // Each session reset writes the vehicle's offline status (receive time) and its online status again.
        Assert.Equal(noBirth + run.Result.Vehicles.Count, m.ReceiveTimePoints);
    }

    [Fact]
    public void A_rebirth_request_is_answered_with_a_fresh_NBIRTH_and_the_DBIRTHs_of_the_live_devices_and_the_will_carries_the_bdSeq()
    {
        var options = SimulatedRun.Options(emoto: 1, bus: 0, truck: 0, forklift: 0);
        options.Fleet.Counts[VehicleKind.H2Forklift] = 2;
        options.Fleet.Sites = [Site.Find("amata-chonburi")!];
        var vehicles = options.Fleet.Expand().Select(s => Vehicle.Create(s, options.Seed)).ToList();
        var format = new SparkplugFormat(vehicles, options.Seed);
        var depot = Assert.Single(format.Nodes, n => n.Vehicle is null);
        Assert.Equal("DEPOT-AMC", depot.NodeId);
        foreach (var vehicle in vehicles)
            foreach (var birth in format.Status(Status(vehicle, online: true))) format.BeforeSend(birth);

        var senders = format.Senders(options);
        var will = senders[depot.Index];
        Assert.Equal("spBv1.0/amata-chonburi/NDEATH/DEPOT-AMC", will.WillTopic);
        Assert.False(will.WillRetain);
        Assert.Equal(depot.BdSeq, Payload.Parser.ParseFrom(will.WillPayload).Metrics.Single(m => m.Name == "bdSeq").LongValue);
        Assert.Equal("spBv1.0/amata-chonburi/NCMD/DEPOT-AMC", will.CommandFilter);

        format.OnCommand(depot.Index, will.CommandFilter!, Command(rebirth: false));
        Assert.False(format.HasRequests);
        format.OnCommand(depot.Index, will.CommandFilter!, Command(rebirth: true));
        format.OnCommand(depot.Index, will.CommandFilter!, Command(rebirth: true));
        Assert.True(format.HasRequests);
        var answer = format.Answer(_ => SimulatedRun.End.ToUnixTimeMilliseconds()).ToList();
        Assert.Equal(["spBv1.0/amata-chonburi/NBIRTH/DEPOT-AMC", "spBv1.0/amata-chonburi/DBIRTH/DEPOT-AMC/FL-01", "spBv1.0/amata-chonburi/DBIRTH/DEPOT-AMC/FL-02"],
            answer.Select(m => m.Topic));
        Assert.Equal([0UL, 1UL, 2UL], answer.Select(m => Payload.Parser.ParseFrom(m.Payload).Seq));
        Assert.All(answer, m => Assert.True(m.Ordered));
        Assert.Equal(1, format.Counts["rebirths_answered"]);
        Assert.Equal(1, format.Counts["rebirth_requests_ignored"]); // the second request for the same node, in the same drain
        Assert.False(NodeCommand.IsRebirth([0x12, 0x05, 0x0A])); // a metric whose name runs past the end
    }

    /// <summary>NCMD <c>Node Control/Rebirth</c> as a host application writes it, with the generated classes.</summary>
    private static byte[] Command(bool rebirth)
    {
        var payload = new Payload { Timestamp = 1 };
        payload.Metrics.Add(new Metric { Name = "Node Control/Rebirth", Datatype = 11, BooleanValue = rebirth });
        return payload.ToByteArray();
    }

    private static OutgoingMessage Status(Vehicle vehicle, bool online) => new()
    {
        VehicleIndex = vehicle.Spec.Index,
        Topic = vehicle.Spec.TopicPrefix + "status",
        Stream = StreamKind.Status,
        Objects = [new SampleObject(StreamKind.Status, SimulatedRun.End.ToUnixTimeMilliseconds(), [FieldValue.Bool("online", online)])],
        SimTimeMs = SimulatedRun.End.ToUnixTimeMilliseconds(),
    };
}
