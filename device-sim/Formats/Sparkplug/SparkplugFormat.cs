using System.Collections.Concurrent;
using DeviceSim.Faults;
using DeviceSim.Fleet;
using DeviceSim.Physics;
using DeviceSim.Publishing;
using DeviceSim.Simulation;
using DeviceSim.Vehicles;

namespace DeviceSim.Formats.Sparkplug;

/// <summary>
/// The fleet as Sparkplug B 3.0 edge nodes (wire contract section 5): each site's forklifts are devices of that
/// site's depot node (<c>DEPOT-{site code}</c>: DBIRTH, DDATA, DDEATH), every other vehicle is its own edge node
/// (NBIRTH, NDATA, NDEATH); the group is the site. A vehicle's BIRTH carries its <c>kind</c> and declares its
/// metrics with aliases, and DATA names them by alias only; the study's <c>seq</c> is the UInt32 metric <c>seq</c>.
/// NBIRTH and NDEATH carry the connection's <c>bdSeq</c>, and the NDEATH is the connection's will. A rebirth
/// asked for by NCMD <c>Node Control/Rebirth</c> is answered with a fresh NBIRTH and the DBIRTHs of the live devices.
/// Events stay JSON on <c>fleet/…/event</c>, over the node's connection: the contract maps no Sparkplug metric to
/// the <c>events</c> measurement.
/// </summary>
/// <remarks>
/// The gateway's answer to a message depends on the session the messages before it built (a DATA before its BIRTH
/// is <c>sparkplug_no_birth</c>, an NDEATH with another bdSeq is ignored), so <see cref="BeforeSend"/> keeps the
/// host's view in publishing order and sets each message's expected outcome there. BIRTH and DEATH messages are
/// published in order with the node's other messages (<see cref="OutgoingMessage.Ordered"/>).
/// </remarks>
public sealed class SparkplugFormat : WireFormat
{
    private readonly List<EdgeNode> _nodes = [];
    private readonly EdgeNode[] _nodeOf;
    private readonly bool[] _isDevice, _deviceLive, _deviceHostBorn;
    private readonly MetricTable?[] _tables;
    private readonly SparkplugPayloadWriter _writer = new();
    private readonly ConcurrentQueue<int> _rebirths = new();
    private long _rebirthsRequested, _rebirthsAnswered, _births, _deaths, _staleDeaths, _ignoredRequests;

    public SparkplugFormat(IReadOnlyList<Vehicle> vehicles, ulong seed) : base(vehicles)
    {
        _nodeOf = new EdgeNode[vehicles.Count];
        _isDevice = new bool[vehicles.Count];
        _deviceLive = new bool[vehicles.Count];
        _deviceHostBorn = new bool[vehicles.Count];
        _tables = new MetricTable?[vehicles.Count];
        var depots = new Dictionary<string, EdgeNode>();
        foreach (var vehicle in vehicles)
        {
            var spec = vehicle.Spec;
            if (spec.Kind == VehicleKind.H2Forklift)
            {
                if (!depots.TryGetValue(spec.Site.Name, out var depot))
                    depots[spec.Site.Name] = depot = AddNode(spec.Site, $"DEPOT-{spec.Site.Code}", null, seed);
                depot.Devices.Add(spec.Index);
                _nodeOf[spec.Index] = depot;
                _isDevice[spec.Index] = true;
            }
            else _nodeOf[spec.Index] = AddNode(spec.Site, spec.Id, spec.Index, seed);
        }
    }

    private EdgeNode AddNode(Site site, string nodeId, int? vehicle, ulong seed)
    {
        var node = new EdgeNode(_nodes.Count, site.Name, nodeId, vehicle, SeededRandom.For(seed, "bdSeq/" + nodeId).NextUInt64() & 0xFF);
        _nodes.Add(node);
        return node;
    }

    public override PayloadFormat Format => PayloadFormat.Sparkplug;
    public IReadOnlyList<EdgeNode> Nodes => _nodes;
    public override bool StatusIsSession => true;

    public override IReadOnlyList<MqttSender> Senders(SimulationOptions options) => _nodes.Select(node =>
    {
        var (clientId, username, password) = Identity(options, node.NodeId);
        _writer.Begin(null);
        _writer.BdSeq(node.BdSeq);
        return new MqttSender(clientId)
        {
            Username = username,
            Password = password,
            WillTopic = node.Topic("NDEATH"),
            WillPayload = _writer.End(null),
            WillRetain = false,
            CommandFilter = node.Topic("NCMD"),
        };
    }).ToList();

    public override IEnumerable<OutgoingMessage> Status(OutgoingMessage status)
    {
        int v = status.VehicleIndex;
        var node = _nodeOf[v];
        bool online = status.Objects[0].Fields.Any(f => f is { Key: "online", Flag: true });
        if (online)
        {
            if (!_isDevice[v]) return [NodeBirth(node, status.SimTimeMs, status.Objects)];
            var messages = new List<OutgoingMessage>(2);
            if (!node.Started) messages.Add(NodeBirth(node, status.SimTimeMs, []));
            _deviceLive[v] = true;
            messages.Add(DeviceBirth(v, status.SimTimeMs, status.Objects));
            return messages;
        }
        if (!_isDevice[v])
        {
            node.Finished = true;
            return [NodeDeath(node, status.SimTimeMs, node.BdSeq)];
        }
        _deviceLive[v] = false;
        return [DeviceDeath(v, status.SimTimeMs)];
    }

    public override IEnumerable<OutgoingMessage> Finish(long simMs)
    {
        foreach (var node in _nodes.Where(n => n.Vehicle is null && n.Started && !n.Finished))
        {
            node.Finished = true;
            yield return NodeDeath(node, simMs, node.BdSeq);
        }
    }

    public override TelemetryFrame Telemetry(OutgoingMessage message, FaultKind? fault, double draw, bool batched)
    {
        int v = message.VehicleIndex;
        var node = _nodeOf[v];
        long ts = message.Objects[^1].TsMs;
        List<OutgoingMessage>? before = null, after = null;
        // A node that loses its session and sends DATA before its BIRTH: its DEATH, this DATA, then its BIRTH again.
        if (fault == FaultKind.DataBeforeBirth) before = [_isDevice[v] ? DeviceDeath(v, ts) : NodeDeath(node, ts, node.BdSeq)];

        string type = _isDevice[v] ? "DDATA" : "NDATA";
        var table = Table(v);
        _writer.Begin(ts);
        foreach (var obj in message.Objects)
        {
            long? metricTs = batched ? obj.TsMs : null;
            if (obj.Seq is { } seq)
                _writer.Aliased(MetricTable.SeqAlias, metricTs, null, SparkplugDataType.UInt32, FieldValue.Int("seq", seq));
            foreach (var field in obj.Fields) WriteField(table, field, metricTs);
        }
        if (fault == FaultKind.UnknownAlias)
            _writer.Aliased(SparkplugPayloadWriter.UndeclaredAlias, null, null, SparkplugDataType.Double, FieldValue.Float("", 1, 0));
        var (lastStart, lastEnd) = _writer.LastMetric;
        message.Payload = _writer.End(node.NextSeq());
        message.Topic = _isDevice[v] ? node.Topic(type, Vehicles[v].Spec.Id) : node.Topic(type);
        message.Binary = true;
        message.Sender = node.Index;

        string? rejection = null;
        switch (fault)
        {
            case FaultKind.Truncated:
                // Cut inside the last metric: its length then claims more bytes than there are.
                message.Payload = message.Payload[..(lastStart + (int)(draw * (lastEnd - lastStart)))];
                rejection = "bad_payload";
                break;
            case FaultKind.BadTopic:
                message.Topic = BreakTopic(message.Topic, draw);
                rejection = "bad_topic";
                break;
            case FaultKind.UnknownAlias:
                rejection = "sparkplug_unknown_alias";
                break;
            case FaultKind.DataBeforeBirth:
                after = [_isDevice[v] ? DeviceBirth(v, ts, [Online(ts)]) : NodeBirth(node, ts, [Online(ts)])];
                break;
            case FaultKind.WrongBdSeq:
                // The will of an older connection, delivered late: another bdSeq than the current NBIRTH's.
                after = [NodeDeath(node, ts, (node.BdSeq + 1) & 0xFF)];
                break;
        }
        message.FormatTag = new SparkplugRole(SparkplugMessage.Data, node, _isDevice[v] ? v : -1, EncodedRejection: rejection);
        message.ExpectedRejection = rejection;
        return new TelemetryFrame(before, after);
    }

    private void WriteField(MetricTable table, in FieldValue field, long? metricTs)
    {
        uint valueType = field.Kind == FieldKind.RawJson ? SparkplugDataType.String : SparkplugDataType.Of(field.Kind);
        if (field.Kind != FieldKind.RawJson && table.Find(field.Key) is { } declared)
            // By alias; a value of another type than declared (the wrong_type fault) says its datatype.
            _writer.Aliased(declared.Alias, metricTs, valueType == declared.DataType ? null : valueType, valueType, field);
        else
            // A metric the BIRTH did not declare (the unknown_key fault): by name.
            _writer.Named(MetricTable.NameOf(field.Key), null, metricTs, valueType, field);
    }

    /// <summary>Five breakages, all still under <c>spBv1.0/</c> so the gateway's subscription receives them.</summary>
    private static string BreakTopic(string topic, double draw)
    {
        var segments = topic.Split('/');
        switch ((int)(draw * 5))
        {
            case 0: segments[1] = segments[1].ToUpperInvariant(); break;   // group must be a lower-case site
            case 1: segments[2] += "X"; break;                            // no such message type
            case 2: segments[3] += ":1"; break;                           // character not allowed in an id
            case 3: segments[1] = ""; break;                              // empty group
            default:
                if (segments.Length == 5) segments[4] += ":1";          // device id
                else return topic + "/extra";                           // a node message with a device segment
                break;
        }
        return string.Join('/', segments);
    }

    public override void BeforeSend(OutgoingMessage message)
    {
        if (message.FormatTag is not SparkplugRole role)
        {
            // Events (JSON) go over the connection of the vehicle's edge node.
            if (message.VehicleIndex >= 0) message.Sender = _nodeOf[message.VehicleIndex].Index;
            return;
        }
        var node = role.Node;
        switch (role.Type)
        {
            case SparkplugMessage.NBirth:
                node.HostBorn = true;
                node.HostBdSeq = role.BdSeq;
                foreach (int d in node.Devices) _deviceHostBorn[d] = false; // an NBIRTH asks its devices for DBIRTHs again
                _births++;
                break;
            case SparkplugMessage.DBirth:
                if (node.HostBorn) _deviceHostBorn[role.Device] = true;
                else message.ExpectedRejection = "sparkplug_no_birth";
                _births++;
                break;
            case SparkplugMessage.NDeath:
                _deaths++;
                if (node.HostBorn && node.HostBdSeq == role.BdSeq)
                {
                    node.HostBorn = false;
                    if (node.Devices.Any(d => _deviceHostBorn[d]))
                        throw new InvalidOperationException($"{node.NodeId}: an NDEATH while devices are online would write their offline status in a message of another vehicle");
                }
                else
                {
                    _staleDeaths++;
                    message.Objects = [];
                }
                break;
            case SparkplugMessage.DDeath:
                _deaths++;
                if (node.HostBorn && _deviceHostBorn[role.Device]) _deviceHostBorn[role.Device] = false;
                else message.Objects = [];
                break;
            default:
                message.ExpectedRejection = role.EncodedRejection is "bad_topic" or "bad_payload" ? role.EncodedRejection
                    : !node.HostBorn || (role.Device >= 0 && !_deviceHostBorn[role.Device]) ? "sparkplug_no_birth"
                    : role.EncodedRejection;
                break;
        }
    }

    public override void OnCommand(int sender, string topic, byte[] payload)
    {
        if (!NodeCommand.IsRebirth(payload)) return;
        Interlocked.Increment(ref _rebirthsRequested);
        _rebirths.Enqueue(sender);
    }

    public override bool HasRequests => !_rebirths.IsEmpty;

    public override IEnumerable<OutgoingMessage> Answer(Func<int, long> stamp)
    {
        var answered = new HashSet<int>();
        while (_rebirths.TryDequeue(out int index))
        {
            var node = _nodes[index];
            if (!node.Started || node.Finished || !answered.Add(index))
            {
                _ignoredRequests++;
                continue;
            }
            _rebirthsAnswered++;
            long ts = stamp(node.Vehicle ?? node.Devices[0]);
            yield return NodeBirth(node, ts, node.Vehicle is { } v ? [Online(ts)] : []);
            foreach (int d in node.Devices.Where(d => _deviceLive[d]))
            {
                long deviceTs = stamp(d);
                yield return DeviceBirth(d, deviceTs, [Online(deviceTs)]);
            }
        }
    }

    public override IReadOnlyDictionary<string, long> Counts => new Dictionary<string, long>
    {
        ["edge_nodes"] = _nodes.Count,
        ["births"] = _births,
        ["deaths"] = _deaths,
        ["stale_ndeaths"] = _staleDeaths,
        ["rebirths_requested"] = Interlocked.Read(ref _rebirthsRequested),
        ["rebirths_answered"] = _rebirthsAnswered,
        ["rebirth_requests_ignored"] = _ignoredRequests,
    };

    private MetricTable Table(int v)
    {
        if (_tables[v] is { } table) return table;
        var sample = new TelemetryWriter(Vehicles[v].UsesVssPaths);
        Vehicles[v].WriteTelemetry(sample);
        return _tables[v] = new MetricTable(sample.Take());
    }

    private static SampleObject Online(long ts) => new(StreamKind.Status, ts, [FieldValue.Bool("online", true)]);

    private static SampleObject Offline(long ts) => new(StreamKind.Status, ts, [FieldValue.Bool("online", false)]) { TsStyle = TsStyle.Omitted };

    private OutgoingMessage NodeBirth(EdgeNode node, long ts, IReadOnlyList<SampleObject> objects)
    {
        node.Started = true;
        node.RestartSeq();
        _writer.Begin(ts);
        _writer.BdSeq(node.BdSeq);
        _writer.Named("Node Control/Rebirth", null, null, SparkplugDataType.Boolean, FieldValue.Bool("", false));
        if (node.Vehicle is { } v) WriteVehicleBirth(v);
        var payload = _writer.End(node.NextSeq());
        return Session(SparkplugMessage.NBirth, node, node.Vehicle ?? -1, node.Topic("NBIRTH"), payload, objects, ts, node.BdSeq);
    }

    private OutgoingMessage DeviceBirth(int v, long ts, IReadOnlyList<SampleObject> objects)
    {
        var node = _nodeOf[v];
        _writer.Begin(ts);
        WriteVehicleBirth(v);
        var payload = _writer.End(node.NextSeq());
        return Session(SparkplugMessage.DBirth, node, v, node.Topic("DBIRTH", Vehicles[v].Spec.Id), payload, objects, ts);
    }

    /// <summary>The vehicle's <c>kind</c>, then every metric it sends with name, alias, datatype and current value.</summary>
    private void WriteVehicleBirth(int v)
    {
        var vehicle = Vehicles[v];
        _writer.Named("kind", null, null, SparkplugDataType.String, FieldValue.String("kind", vehicle.Spec.Kind));
        _writer.Named("seq", MetricTable.SeqAlias, null, SparkplugDataType.UInt32, FieldValue.Int("seq", 0));
        var current = new TelemetryWriter(vehicle.UsesVssPaths);
        vehicle.WriteTelemetry(current);
        var values = current.Take();
        var table = Table(v);
        foreach (var metric in table.Declared)
        {
            var value = values.FirstOrDefault(f => f.Key == metric.Key);
            _writer.Named(metric.Name, metric.Alias, null, metric.DataType, value);
        }
    }

    private OutgoingMessage NodeDeath(EdgeNode node, long ts, ulong bdSeq)
    {
        _writer.Begin(ts);
        _writer.BdSeq(bdSeq);
        var payload = _writer.End(null);
        IReadOnlyList<SampleObject> objects = node.Vehicle is null ? [] : [Offline(ts)];
        return Session(SparkplugMessage.NDeath, node, node.Vehicle ?? -1, node.Topic("NDEATH"), payload, objects, ts, bdSeq);
    }

    private OutgoingMessage DeviceDeath(int v, long ts)
    {
        var node = _nodeOf[v];
        _writer.Begin(ts);
        var payload = _writer.End(node.NextSeq());
        return Session(SparkplugMessage.DDeath, node, v, node.Topic("DDEATH", Vehicles[v].Spec.Id), payload, [Offline(ts)], ts);
    }

    private static OutgoingMessage Session(SparkplugMessage type, EdgeNode node, int vehicle, string topic, byte[] payload,
        IReadOnlyList<SampleObject> objects, long ts, ulong bdSeq = 0) => new()
    {
        VehicleIndex = vehicle,
        Sender = node.Index,
        Topic = topic,
        Stream = StreamKind.Status,
        Objects = objects,
        Payload = payload,
        Binary = true,
        Ordered = true,
        SimTimeMs = ts,
        FormatTag = new SparkplugRole(type, node, type is SparkplugMessage.DBirth or SparkplugMessage.DDeath ? vehicle : -1, bdSeq),
    };
}
