using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Sparkplug;

/// <summary>The Sparkplug B message types; <see cref="State"/> is a host application's own.</summary>
public enum SparkplugMessageType : byte { NBirth, NDeath, DBirth, DDeath, NData, DData, NCmd, DCmd, State }

/// <summary>
/// The segments of <c>spBv1.0/{group_id}/{message_type}/{edge_node_id}[/{device_id}]</c> as slices of the
/// topic. The group is a site (section 1's rule); the edge node and the device are vehicle ids by the same
/// rule, since either may be the vehicle (<see cref="VehicleId"/>).
/// </summary>
public readonly ref struct SparkplugTopic
{
    public const string Namespace = "spBv1.0";

    public ReadOnlySpan<char> GroupId { get; private init; }
    public SparkplugMessageType Type { get; private init; }
    public ReadOnlySpan<char> EdgeNodeId { get; private init; }
    /// <summary>Empty for node messages.</summary>
    public ReadOnlySpan<char> DeviceId { get; private init; }
    public bool IsDeviceMessage => Type is SparkplugMessageType.DBirth or SparkplugMessageType.DDeath or SparkplugMessageType.DData or SparkplugMessageType.DCmd;
    /// <summary>The device, or the edge node when the message has no device.</summary>
    public ReadOnlySpan<char> VehicleId => IsDeviceMessage ? DeviceId : EdgeNodeId;

    /// <summary>True for any topic in the Sparkplug B namespace, valid or not (so that it is answered as Sparkplug).</summary>
    public static bool IsSparkplug(ReadOnlySpan<char> topic) => topic.StartsWith(Namespace + "/");

    /// <summary>
    /// Parses a Sparkplug topic; false (<c>bad_topic</c>) when the namespace, the message type, the number of
    /// segments or an id does not match. A STATE topic (<c>spBv1.0/STATE/{host_id}</c>) parses with the host id
    /// as <see cref="EdgeNodeId"/> and no group.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> topic, out SparkplugTopic parsed)
    {
        parsed = default;
        if (!IsSparkplug(topic)) return false;
        var rest = topic[(Namespace.Length + 1)..];
        Span<Range> segments = stackalloc Range[5];
        int count = rest.Split(segments, '/');
        if (count is < 2 or > 4) return false;
        if (rest[segments[0]].SequenceEqual("STATE"))
        {
            if (count != 2 || !TopicParser.IsValidVehicleId(rest[segments[1]])) return false;
            parsed = new SparkplugTopic { Type = SparkplugMessageType.State, EdgeNodeId = rest[segments[1]] };
            return true;
        }
        if (count < 3 || !TryParseType(rest[segments[1]], out var type)) return false;
        var group = rest[segments[0]];
        var node = rest[segments[2]];
        bool device = type is SparkplugMessageType.DBirth or SparkplugMessageType.DDeath or SparkplugMessageType.DData or SparkplugMessageType.DCmd;
        if (count != (device ? 4 : 3)) return false;
        var deviceId = device ? rest[segments[3]] : default;
        if (!TopicParser.IsValidSite(group) || !TopicParser.IsValidVehicleId(node) || (device && !TopicParser.IsValidVehicleId(deviceId))) return false;
        parsed = new SparkplugTopic { GroupId = group, Type = type, EdgeNodeId = node, DeviceId = deviceId };
        return true;
    }

    private static bool TryParseType(ReadOnlySpan<char> text, out SparkplugMessageType type)
    {
        type = text switch
        {
            "NBIRTH" => SparkplugMessageType.NBirth,
            "NDEATH" => SparkplugMessageType.NDeath,
            "DBIRTH" => SparkplugMessageType.DBirth,
            "DDEATH" => SparkplugMessageType.DDeath,
            "NDATA" => SparkplugMessageType.NData,
            "DDATA" => SparkplugMessageType.DData,
            "NCMD" => SparkplugMessageType.NCmd,
            "DCMD" => SparkplugMessageType.DCmd,
            _ => SparkplugMessageType.State,
        };
        return type != SparkplugMessageType.State;
    }
}
