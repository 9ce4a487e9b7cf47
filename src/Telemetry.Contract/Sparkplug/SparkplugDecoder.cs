using System.Collections.Concurrent;
using System.Text;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Sparkplug;

/// <summary>
/// The reading side of a Sparkplug B host application (wire contract section 5): keeps each edge node's
/// session (BIRTH, <c>bdSeq</c>, <c>seq</c>, alias tables per node and device) and turns its messages into
/// points through the shared <see cref="PointBuilder"/>, which applies the catalogue's rules. What the host
/// must send back (rebirth requests) is queued in <see cref="RebirthRequests"/> for the gateway to publish.
/// </summary>
/// <remarks>
/// <para>BIRTH: learns the aliases and the vehicle's <c>kind</c>, writes <c>status</c> online=true (its metric values
/// declare the metrics and are not written). DATA: metrics that share a timestamp (the metric's, else the payload's,
/// else the receive time) are one <c>telemetry</c> point. DEATH: <c>status</c> online=false at the receive time, for
/// an NDEATH only when its <c>bdSeq</c> is the current NBIRTH's.</para>
/// <para>Steady state (DATA by alias) allocates nothing. Messages are decoded one at a time (the pipeline's lock);
/// <see cref="CheckReorderTimeouts"/> may run on another thread: both take this instance's lock.</para>
/// </remarks>
public sealed class SparkplugDecoder
{
    private static ReadOnlySpan<byte> BdSeqName => "bdSeq"u8;
    private static ReadOnlySpan<byte> KindName => "kind"u8;
    private static ReadOnlySpan<byte> NodeControlPrefix => "Node Control/"u8;
    private static ReadOnlySpan<byte> DeviceControlPrefix => "Device Control/"u8;
    private static ReadOnlySpan<byte> OnlineKey => "online"u8;

    private readonly SignalCatalogue _catalogue;
    private readonly PointBuilder _points;
    private readonly SparkplugOptions _options;
    private readonly int _maxPayloadBytes;
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<string, EdgeNodeSession>> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, EdgeNodeSession>>.AlternateLookup<ReadOnlySpan<char>> _groupLookup;
    private int _aliasTables;
    private bool _restoring;
    private bool _applied; // set by a handler that changed the sessions (for the Recorder)
    private int _ownStateOffline;

    // Metrics of a DATA message grouped by time: (timestamp, metric's index) sorted, then each read again from its
    // place in the payload with the alias entry the first pass found.
    private long[] _groupTimes = new long[64];
    private long[] _groupPlaces = new long[64];
    private long[] _metricPlaces = new long[64];
    private AliasEntry?[] _metricAliases = new AliasEntry?[64];
    private byte[] _nameScratch = new byte[256];
    private readonly byte[] _floatText = new byte[32];

    public SparkplugDecoder(SignalCatalogue catalogue, PointBuilder points, SparkplugOptions? options = null, DecoderOptions? decoderOptions = null)
    {
        _catalogue = catalogue;
        _points = points;
        _options = options ?? new SparkplugOptions();
        _maxPayloadBytes = (decoderOptions ?? new DecoderOptions()).MaxPayloadBytes;
        _groupLookup = _groups.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public SparkplugCounters Counters { get; } = new();

    /// <summary>Edge nodes to ask for a rebirth (NCMD <c>Node Control/Rebirth</c>), as (group id, edge node id).</summary>
    public ConcurrentQueue<(string GroupId, string EdgeNodeId)> RebirthRequests { get; } = new();

    /// <summary>Decodes one message on a <c>spBv1.0/</c> topic into <paramref name="output"/>; findings to <paramref name="sink"/>.</summary>
    public DecodeOutcome Decode<TSink>(ReadOnlySpan<char> topic, ReadOnlySpan<byte> payload, bool retained, long nowUnixMs,
        LineBuffer output, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        if (!SparkplugTopic.TryParse(topic, out var parts))
            return _points.RejectMessage(RejectReason.BadTopic, ref sink);
        Counters.Message(parts.Type);
        if (parts.Type == SparkplugMessageType.State && parts.EdgeNodeId.SequenceEqual(_options.HostId) && HostMessages.IsOfflineState(payload))
            Volatile.Write(ref _ownStateOffline, 1);
        // Commands and STATE are not vehicle data: nothing to write, nothing wrong.
        if (parts.Type is SparkplugMessageType.NCmd or SparkplugMessageType.DCmd or SparkplugMessageType.State)
            return new DecodeOutcome();
        if (payload.Length > _maxPayloadBytes)
            return _points.RejectMessage(RejectReason.TooLarge, ref sink);
        var error = SparkplugPayload.TryRead(payload, _options.Limits, out var message);
        if (error != PayloadError.None)
        {
            // The rule it broke goes where a field's key would: the dead letter says which.
            sink.OnRejected(RejectReason.BadPayload, -1, PayloadErrors.NameUtf8(error));
            return new DecodeOutcome { MessageRejection = RejectReason.BadPayload };
        }

        lock (_gate)
        {
            _applied = false;
            var outcome = Apply(parts, message, retained, nowUnixMs, output, ref sink);
            // Under the lock, so the records' order is the order the sessions changed in.
            if (_applied) Recorder?.Invoke(topic, payload);
            return outcome;
        }
    }

    private DecodeOutcome Apply<TSink>(in SparkplugTopic parts, SparkplugPayload message, bool retained, long nowUnixMs, LineBuffer output,
        ref TSink sink) where TSink : IDecodeSink, allows ref struct => parts.Type switch
    {
        SparkplugMessageType.NBirth => NodeBirth(parts, message, retained, nowUnixMs, output, ref sink),
        SparkplugMessageType.DBirth => DeviceBirth(parts, message, retained, nowUnixMs, output, ref sink),
        SparkplugMessageType.NDeath => NodeDeath(parts, message, retained, nowUnixMs, output, ref sink),
        SparkplugMessageType.DDeath => DeviceDeath(parts, message, retained, nowUnixMs, output, ref sink),
        _ => Data(parts, message, retained, nowUnixMs, output, ref sink),
    };

    /// <summary>
    /// Told each BIRTH and DEATH certificate that changed the sessions, in the order applied, to keep them across a restart
    /// (<see cref="Restore"/>): every NBIRTH (a new session), a DBIRTH of a born node, an NDEATH whose <c>bdSeq</c> matched,
    /// a DDEATH of a born device. A late NDEATH of an older connection, or a BIRTH refused before it changed anything, is not told.
    /// </summary>
    public delegate void SessionRecorder(ReadOnlySpan<char> topic, ReadOnlySpan<byte> payload);

    /// <summary>Called under the decoder's lock; not for <see cref="Restore"/>d certificates.</summary>
    public SessionRecorder? Recorder { get; set; }

    /// <summary>
    /// Applies a BIRTH or DEATH certificate recorded by an earlier run to the sessions, writing nothing and counting nothing, so that
    /// the DATA a broker redelivers after a restart is read with the aliases and kinds the host knew. Call before messages arrive:
    /// it uses the point builder, which only the decoding thread may use. Other message types are ignored.
    /// </summary>
    public void Restore(ReadOnlySpan<char> topic, ReadOnlySpan<byte> payload, long nowUnixMs)
    {
        if (!SparkplugTopic.TryParse(topic, out var parts)
            || parts.Type is not (SparkplugMessageType.NBirth or SparkplugMessageType.DBirth or SparkplugMessageType.NDeath or SparkplugMessageType.DDeath))
            return;
        if (SparkplugPayload.TryRead(payload, _options.Limits, out var message) != PayloadError.None) return;
        using var discarded = new LineBuffer(1024);
        var sink = new DiscardingSink();
        lock (_gate)
        {
            _restoring = true;
            try
            {
                Apply(parts, message, retained: false, nowUnixMs, discarded, ref sink);
                foreach (var nodes in _groups.Values)
                    foreach (var node in nodes.Values) node.RebirthRequestedAtMs = null;
            }
            finally
            {
                _restoring = false;
            }
        }
        RebirthRequests.Clear();
    }

    private struct DiscardingSink : IDecodeSink
    {
        public readonly void OnPoint(int objectIndex, long seq, long timestampMs) { }
        public readonly void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) { }
    }

    /// <summary>
    /// True once after a STATE on this host's own id said <c>online:false</c> (a will of an earlier connection, or another
    /// client): Sparkplug 3.0 wants the host to publish its STATE birth again at once.
    /// </summary>
    public bool TakeOwnStateOffline() => Interlocked.Exchange(ref _ownStateOffline, 0) == 1;

    /// <summary>
    /// The vehicle a Sparkplug topic's messages belong to, as section 1 would name it, once its BIRTH gave it a kind:
    /// for per-vehicle accounting. False for a topic of no known vehicle.
    /// </summary>
    public bool TryDescribeVehicle(string topic, out string site, out string kind, out string vehicleId)
    {
        (site, kind, vehicleId) = ("", "", "");
        if (!SparkplugTopic.TryParse(topic, out var parts) || parts.Type == SparkplugMessageType.State) return false;
        lock (_gate)
        {
            var node = FindNode(parts.GroupId, parts.EdgeNodeId);
            VehicleSession? vehicle = node?.Node;
            if (node is not null && parts.IsDeviceMessage && !node.DeviceLookup.TryGetValue(parts.DeviceId, out vehicle)) return false;
            if (vehicle?.Kind is not { } known) return false;
            (site, kind, vehicleId) = (node!.GroupId, known.Name, vehicle.VehicleId);
            return true;
        }
    }

    /// <summary>Asks for a rebirth of every edge node whose <c>seq</c> gap has stayed open past the reorder timeout.</summary>
    public void CheckReorderTimeouts(long nowUnixMs)
    {
        lock (_gate)
        {
            foreach (var nodes in _groups.Values)
                foreach (var node in nodes.Values)
                    if (node.Born && node.Seq.GapExpired(nowUnixMs, _options.ReorderTimeoutMs))
                        RequestRebirth(node, RebirthCause.SeqGap, nowUnixMs);
        }
    }

    private DecodeOutcome NodeBirth<TSink>(in SparkplugTopic topic, SparkplugPayload message, bool retained, long now, LineBuffer output,
        ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        var node = FindNode(topic.GroupId, topic.EdgeNodeId);
        if (node is null)
        {
            if (_aliasTables >= _options.MaxAliasTables)
                return _points.RejectMessage(RejectReason.SparkplugAliasTablesFull, ref sink);
            node = AddNode(topic.GroupId, topic.EdgeNodeId);
        }
        _aliasTables -= node.DeviceCount; // an NBIRTH starts the node again: its devices send DBIRTHs after it
        node.ClearDevices();
        Counters.SetAliasTables(_aliasTables);
        node.Born = true;
        _applied = true;
        node.BdSeq = FindBdSeq(message);
        node.Seq.Reset(message.HasSeq ? (int)(message.Seq & 0xFF) : 0);
        node.RebirthRequestedAtMs = null;

        var kind = Learn(node.Node, message, out bool hasOwnMetrics);
        if (kind is null)
        {
            // Not a vehicle itself: a gateway for its devices, unless it declared metrics of its own to write.
            if (hasOwnMetrics) return _points.RejectMessage(RejectReason.MissingRequired, ref sink);
            return new DecodeOutcome();
        }
        return WriteStatus(topic.GroupId, node.Node, online: true, BirthTime(message, now), retained, now, output, ref sink);
    }

    private DecodeOutcome DeviceBirth<TSink>(in SparkplugTopic topic, SparkplugPayload message, bool retained, long now, LineBuffer output,
        ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        var node = FindNode(topic.GroupId, topic.EdgeNodeId);
        if (node is not { Born: true }) return NoBirth(node, topic, now, ref sink);
        ObserveSeq(node, message, now);
        if (!node.DeviceLookup.TryGetValue(topic.DeviceId, out var device))
        {
            if (_aliasTables >= _options.MaxAliasTables)
                return _points.RejectMessage(RejectReason.SparkplugAliasTablesFull, ref sink);
            device = node.AddDevice(topic.DeviceId);
            Counters.SetAliasTables(++_aliasTables);
        }
        _applied = true;
        if (Learn(device, message, out _) is null) return _points.RejectMessage(RejectReason.MissingRequired, ref sink);
        return WriteStatus(topic.GroupId, device, online: true, BirthTime(message, now), retained, now, output, ref sink);
    }

    private DecodeOutcome NodeDeath<TSink>(in SparkplugTopic topic, SparkplugPayload message, bool retained, long now, LineBuffer output,
        ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        var node = FindNode(topic.GroupId, topic.EdgeNodeId);
        if (node is not { Born: true } || node.BdSeq != FindBdSeq(message))
        {
            if (!_restoring) Counters.StaleDeath();
            return new DecodeOutcome();
        }
        node.Born = false;
        _applied = true;
        var outcome = new DecodeOutcome();
        if (node.Node.Online) Add(ref outcome, WriteStatus(topic.GroupId, node.Node, online: false, now, retained, now, output, ref sink));
        foreach (var device in node.Devices)
            if (device.Online) Add(ref outcome, WriteStatus(topic.GroupId, device, online: false, now, retained, now, output, ref sink));
        _aliasTables -= node.DeviceCount;
        node.ClearDevices();
        node.Node.Born = false;
        Counters.SetAliasTables(_aliasTables);
        return outcome;
    }

    private DecodeOutcome DeviceDeath<TSink>(in SparkplugTopic topic, SparkplugPayload message, bool retained, long now, LineBuffer output,
        ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        var node = FindNode(topic.GroupId, topic.EdgeNodeId);
        if (node is not { Born: true } || !node.DeviceLookup.TryGetValue(topic.DeviceId, out var device) || !device.Born)
            return new DecodeOutcome(); // nothing known to be online: nothing to say
        ObserveSeq(node, message, now);
        device.Born = false;
        _applied = true;
        var outcome = device.Kind is null || !device.Online
            ? new DecodeOutcome()
            : WriteStatus(topic.GroupId, device, online: false, now, retained, now, output, ref sink);
        node.RemoveDevice(device);
        Counters.SetAliasTables(--_aliasTables);
        return outcome;
    }

    private DecodeOutcome Data<TSink>(in SparkplugTopic topic, SparkplugPayload message, bool retained, long now, LineBuffer output,
        ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        var node = FindNode(topic.GroupId, topic.EdgeNodeId);
        if (node is not { Born: true }) return NoBirth(node, topic, now, ref sink);
        ObserveSeq(node, message, now);
        VehicleSession? vehicle = node.Node;
        if (topic.IsDeviceMessage && !node.DeviceLookup.TryGetValue(topic.DeviceId, out vehicle)) return NoBirth(node, topic, now, ref sink);
        if (vehicle is not { Born: true }) return NoBirth(node, topic, now, ref sink);
        if (vehicle.Kind is not { } kind) return _points.RejectMessage(RejectReason.MissingRequired, ref sink);

        // Every alias must be known before anything is written: one unknown alias means the tables are stale.
        int count = 0;
        bool oneTime = true;
        long firstTime = 0;
        var metrics = message.Metrics;
        while (metrics.MoveNext())
        {
            var metric = metrics.Current;
            AliasEntry? alias = null;
            if (metric.HasAlias) vehicle.Aliases.TryGetValue(metric.Alias, out alias);
            if (!metric.HasName && alias is null)
            {
                RequestRebirth(node, RebirthCause.UnknownAlias, now);
                return _points.RejectMessage(RejectReason.SparkplugUnknownAlias, ref sink);
            }
            long time = metric.HasTimestamp ? (long)metric.Timestamp : message.HasTimestamp ? (long)message.Timestamp : now;
            if (count == 0) firstTime = time;
            else oneTime &= time == firstTime;
            EnsureGroupRoom(count + 1);
            _groupTimes[count] = time;
            _groupPlaces[count] = count;
            _metricPlaces[count] = (long)metrics.CurrentOffset << 32 | (uint)metrics.CurrentLength;
            _metricAliases[count] = alias;
            count++;
        }

        _points.BeginMessage(topic.GroupId, kind, topic.VehicleId, StreamKind.Telemetry, retained, now, output);
        if (count > 0 && !oneTime) _groupTimes.AsSpan(0, count).Sort(_groupPlaces.AsSpan(0, count)); // by time; equal times keep no order, which a point does not need
        for (int i = 0, point = 0; i < count; point++)
        {
            long time = _groupTimes[i];
            _points.BeginPoint(point);
            _points.Timestamp(time);
            for (; i < count && _groupTimes[i] == time; i++)
            {
                int index = (int)_groupPlaces[i];
                var metric = message.MetricAt((int)(_metricPlaces[index] >> 32), (int)(uint)_metricPlaces[index]);
                WriteMetric(kind, metric, _metricAliases[index]);
            }
            _points.EndPoint();
        }
        return _points.EndMessage(ref sink);
    }

    /// <summary>
    /// Hands one DATA metric to the builder by its catalogue key, unless it is Sparkplug's own or null;
    /// <paramref name="entry"/> is its alias's, when the BIRTH declared it.
    /// </summary>
    private void WriteMetric(KindDefinition kind, in SparkplugMetric metric, AliasEntry? entry)
    {
        if (metric.IsNull) return;
        ReadOnlySpan<byte> key, name;
        uint dataType;
        SignalType? target;
        if (entry is not null)
        {
            if (entry.IsSparkplugOwn) return;
            key = entry.Key;
            name = entry.Name;
            dataType = metric.HasDataType ? metric.DataType : entry.DataType;
            target = entry.SignalType;
        }
        else
        {
            name = metric.Name;
            if (IsSparkplugOwn(name)) return;
            key = NormalisedKey(name);
            dataType = metric.DataType;
            target = SignalTypeOf(kind, key);
        }
        _points.Field(key, ValueOf(metric, dataType, target), name);
    }

    /// <summary>
    /// The metric's value as the catalogue's types see it: Int8–UInt64 as integers, Float and Double as floats
    /// (never to an integer signal), Boolean, String and Text; anything else, or a value member that is not
    /// the datatype's, is unsupported (<c>field_invalid</c>).
    /// </summary>
    internal FieldValue ValueOf(in SparkplugMetric metric, uint dataType, SignalType? target)
    {
        var kind = metric.ValueKind;
        ulong bits = metric.ValueBits;
        bool integerMember = kind is MetricValueKind.Int or MetricValueKind.Long;
        switch ((SparkplugDataType)dataType)
        {
            case SparkplugDataType.Int8 when integerMember: return FieldValue.Integer((sbyte)bits);
            case SparkplugDataType.Int16 when integerMember: return FieldValue.Integer((short)bits);
            case SparkplugDataType.Int32 when integerMember: return FieldValue.Integer((int)bits);
            case SparkplugDataType.Int64 when integerMember: return FieldValue.Integer((long)bits);
            case SparkplugDataType.UInt8 when integerMember && bits <= byte.MaxValue:
            case SparkplugDataType.UInt16 when integerMember && bits <= ushort.MaxValue:
            case SparkplugDataType.UInt32 when integerMember && bits <= uint.MaxValue:
            case SparkplugDataType.UInt64 when integerMember && bits <= long.MaxValue:
                return FieldValue.Integer((long)bits);
            case SparkplugDataType.Float or SparkplugDataType.Double when target != SignalType.Int:
                if (kind == MetricValueKind.Float)
                {
                    // A float's shortest text (38.5, 13.7563) rather than its binary expansion as a double (13.756299972534180).
                    float single = metric.FloatValue;
                    if (!float.IsFinite(single)) return FieldValue.Unsupported;
                    if (PlainNumber.TryWriteShortFloat(single, _floatText, out int length, out double known))
                        return FieldValue.NumberText(_floatText.AsSpan(0, length), known);
                    single.TryFormat(_floatText, out length, "R", System.Globalization.CultureInfo.InvariantCulture);
                    return FieldValue.NumberText(_floatText.AsSpan(0, length));
                }
                return kind == MetricValueKind.Double ? FieldValue.Double(metric.DoubleValue) : FieldValue.Unsupported;
            case SparkplugDataType.Boolean when kind == MetricValueKind.Boolean: return FieldValue.Boolean(bits != 0);
            case SparkplugDataType.String or SparkplugDataType.Text when kind == MetricValueKind.String: return FieldValue.String(metric.ValueBytes);
            default: return FieldValue.Unsupported;
        }
    }

    /// <summary>Learns a BIRTH's aliases and <c>kind</c>; null when it has no valid kind.</summary>
    /// <param name="hasOwnMetrics">the BIRTH declared metrics other than Sparkplug's own</param>
    private KindDefinition? Learn(VehicleSession vehicle, SparkplugPayload message, out bool hasOwnMetrics)
    {
        hasOwnMetrics = false;
        vehicle.Aliases.Clear();
        vehicle.Kind = null;
        foreach (var metric in message.Metrics)
        {
            if (!metric.HasName) continue;
            if (metric.Name.SequenceEqual(KindName) && metric.ValueKind == MetricValueKind.String)
                vehicle.Kind = _catalogue.FindKind(Encoding.UTF8.GetString(metric.ValueBytes));
            hasOwnMetrics |= !IsSparkplugOwn(metric.Name);
        }
        foreach (var metric in message.Metrics)
        {
            if (!metric.HasName || !metric.HasAlias) continue;
            var key = NormalisedKey(metric.Name).ToArray();
            bool own = IsSparkplugOwn(metric.Name);
            vehicle.Aliases[metric.Alias] = new AliasEntry(key, metric.Name.ToArray(), metric.DataType,
                own || vehicle.Kind is null ? null : SignalTypeOf(vehicle.Kind, key), own);
        }
        vehicle.Born = true;
        vehicle.Online = vehicle.Kind is not null;
        return vehicle.Kind;
    }

    private DecodeOutcome WriteStatus<TSink>(ReadOnlySpan<char> site, VehicleSession vehicle, bool online, long time, bool retained, long now,
        LineBuffer output, ref TSink sink) where TSink : IDecodeSink, allows ref struct
    {
        vehicle.Online = online;
        _points.BeginMessage(site, vehicle.Kind!, vehicle.VehicleId, StreamKind.Status, retained, now, output);
        _points.BeginPoint(0);
        _points.Timestamp(time);
        _points.Field(OnlineKey, FieldValue.Boolean(online), OnlineKey);
        _points.EndPoint();
        return _points.EndMessage(ref sink);
    }

    private DecodeOutcome NoBirth<TSink>(EdgeNodeSession? node, in SparkplugTopic topic, long now, ref TSink sink)
        where TSink : IDecodeSink, allows ref struct
    {
        if (node is null)
        {
            if (_aliasTables >= _options.MaxAliasTables) return _points.RejectMessage(RejectReason.SparkplugAliasTablesFull, ref sink);
            node = AddNode(topic.GroupId, topic.EdgeNodeId);
        }
        RequestRebirth(node, RebirthCause.NoBirth, now);
        return _points.RejectMessage(RejectReason.SparkplugNoBirth, ref sink);
    }

    private void ObserveSeq(EdgeNodeSession node, SparkplugPayload message, long now)
    {
        if (!message.HasSeq) return;
        var finding = node.Seq.Observe((int)(message.Seq & 0xFF), now);
        if (finding == NodeSeqTracker.Finding.Ahead && !_restoring) Counters.OutOfOrder();
        else if (finding == NodeSeqTracker.Finding.Duplicate && !_restoring) Counters.Duplicate();
        if (node.Seq.GapExpired(now, _options.ReorderTimeoutMs)) RequestRebirth(node, RebirthCause.SeqGap, now);
    }

    private void RequestRebirth(EdgeNodeSession node, RebirthCause cause, long now)
    {
        if (_restoring) return;
        if (node.RebirthRequestedAtMs is { } last && now - last < _options.RebirthIntervalMs) return;
        node.RebirthRequestedAtMs = now;
        RebirthRequests.Enqueue((node.GroupId, node.EdgeNodeId));
        Counters.Rebirth(cause);
    }

    private static ulong? FindBdSeq(SparkplugPayload message)
    {
        foreach (var metric in message.Metrics)
            if (metric.HasName && metric.Name.SequenceEqual(BdSeqName) && metric.ValueKind is MetricValueKind.Int or MetricValueKind.Long)
                return metric.ValueBits;
        return null;
    }

    private static long BirthTime(SparkplugPayload message, long now) => message.HasTimestamp ? (long)message.Timestamp : now;

    private static bool IsSparkplugOwn(ReadOnlySpan<byte> name) =>
        name.SequenceEqual(BdSeqName) || name.SequenceEqual(KindName) || name.StartsWith(NodeControlPrefix) || name.StartsWith(DeviceControlPrefix);

    /// <summary><c>Vehicle/Speed</c> as <c>Vehicle.Speed</c>: the separators are the same (a name without <c>/</c> is used as it is).</summary>
    private ReadOnlySpan<byte> NormalisedKey(ReadOnlySpan<byte> name)
    {
        if (!name.Contains((byte)'/')) return name;
        if (_nameScratch.Length < name.Length) _nameScratch = new byte[Math.Max(name.Length, _nameScratch.Length * 2)];
        var key = _nameScratch.AsSpan(0, name.Length);
        name.Replace(key, (byte)'/', (byte)'.');
        return key;
    }

    private static SignalType? SignalTypeOf(KindDefinition kind, ReadOnlySpan<byte> key) =>
        kind.Telemetry.Keys.TryFind(key, out int index, out _) ? kind.Telemetry.Signals[index].Type : null;

    private EdgeNodeSession? FindNode(ReadOnlySpan<char> groupId, ReadOnlySpan<char> edgeNodeId) =>
        _groupLookup.TryGetValue(groupId, out var nodes) && nodes.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(edgeNodeId, out var node)
            ? node
            : null;

    private EdgeNodeSession AddNode(ReadOnlySpan<char> groupId, ReadOnlySpan<char> edgeNodeId)
    {
        if (!_groupLookup.TryGetValue(groupId, out string? group, out var nodes))
            _groups.Add(group = groupId.ToString(), nodes = new(StringComparer.Ordinal));
        var node = new EdgeNodeSession(group, edgeNodeId.ToString());
        nodes.Add(node.EdgeNodeId, node);
        Counters.SetAliasTables(++_aliasTables);
        return node;
    }

    private void EnsureGroupRoom(int count)
    {
        if (count <= _groupTimes.Length) return;
        Array.Resize(ref _groupTimes, Math.Max(count, _groupTimes.Length * 2));
        Array.Resize(ref _groupPlaces, _groupTimes.Length);
        Array.Resize(ref _metricPlaces, _groupTimes.Length);
        Array.Resize(ref _metricAliases, _groupTimes.Length);
    }

    private static void Add(ref DecodeOutcome total, in DecodeOutcome part)
    {
        total.Objects += part.Objects;
        total.Points += part.Points;
        total.ObjectsRejected += part.ObjectsRejected;
        total.ReceiveTimeUsed += part.ReceiveTimeUsed;
    }
}
