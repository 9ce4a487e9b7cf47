using Telemetry.Contract.Sparkplug;
using Telemetry.Contract.Topics;
using Telemetry.Gateway.Devices;

namespace Telemetry.Gateway.Broker;

/// <summary>
/// What one device may do, decided on spans of the topic: a vehicle against its pre-built prefix
/// <c>fleet/{site}/{kind}/{vehicle_id}/</c>, a Sparkplug edge node against its group and node id. No string is built per message.
/// </summary>
internal static class TopicAcl
{
    public static bool MayPublish(ReadOnlySpan<char> topic, DeviceEntry device)
    {
        if (device.Sparkplug && SparkplugTopic.IsSparkplug(topic)) return MayPublishSparkplug(topic, device);
        var prefix = device.TopicPrefix;
        return device.Kind.Length > 0 && topic.StartsWith(prefix, StringComparison.Ordinal) && TopicParser.TryParseStream(topic[prefix.Length..], out _, out _);
    }

    /// <summary>
    /// A vehicle: only filters inside its own topics (e.g. <c>fleet/bkk/emoto/EM-1/#</c>), nothing else, not even <c>#</c>.
    /// A Sparkplug edge node also: filters on its own node's topics (<c>spBv1.0/{site}/NCMD/{id}</c>, <c>spBv1.0/{site}/DCMD/{id}/+</c>,
    /// <c>spBv1.0/{site}/+/{id}/#</c>) and the host's STATE (<c>spBv1.0/STATE/{host_id}</c>).
    /// </summary>
    public static bool MaySubscribe(ReadOnlySpan<char> filter, DeviceEntry device, string hostStateTopic)
    {
        if (device.Sparkplug && SparkplugTopic.IsSparkplug(filter)) return filter.SequenceEqual(hostStateTopic) || IsOwnSparkplugFilter(filter, device);
        var prefix = device.TopicPrefix;
        return device.Kind.Length > 0 && (filter.StartsWith(prefix, StringComparison.Ordinal) || filter.SequenceEqual(prefix.AsSpan(0, prefix.Length - 1)));
    }

    /// <summary>Its own group and node, and a message type an edge node sends (never a command or a STATE).</summary>
    private static bool MayPublishSparkplug(ReadOnlySpan<char> topic, DeviceEntry device) =>
        SparkplugTopic.TryParse(topic, out var parts)
        && parts.Type is not (SparkplugMessageType.NCmd or SparkplugMessageType.DCmd or SparkplugMessageType.State)
        && parts.GroupId.SequenceEqual(device.Site) && parts.EdgeNodeId.SequenceEqual(device.Id);

    /// <summary><c>spBv1.0/{site}/{type or +}/{id}</c>, optionally followed by <c>/#</c>, <c>/+</c> or <c>/{device}</c> (then optionally <c>/#</c>).</summary>
    private static bool IsOwnSparkplugFilter(ReadOnlySpan<char> filter, DeviceEntry device)
    {
        Span<Range> levels = stackalloc Range[7];
        int count = filter.Split(levels, '/');
        if (count is < 4 or > 6 || !filter[levels[1]].SequenceEqual(device.Site) || !filter[levels[3]].SequenceEqual(device.Id)) return false;
        var type = filter[levels[2]];
        if (!(type is "+" or "NBIRTH" or "NDEATH" or "NDATA" or "NCMD" or "DBIRTH" or "DDEATH" or "DDATA" or "DCMD")) return false;
        if (count == 4) return true;
        var fifth = filter[levels[4]];
        if (count == 5) return fifth is "#" or "+" || TopicParser.IsValidVehicleId(fifth);
        return (fifth is "+" || TopicParser.IsValidVehicleId(fifth)) && filter[levels[5]] is "#";
    }
}
