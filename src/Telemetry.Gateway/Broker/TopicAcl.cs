using Telemetry.Contract.Topics;

namespace Telemetry.Gateway.Broker;

/// <summary>
/// What one device may do, decided on spans of the topic against the device's pre-built prefix
/// <c>fleet/{site}/{kind}/{vehicle_id}/</c>: no string is built per message.
/// </summary>
internal static class TopicAcl
{
    public static bool MayPublish(ReadOnlySpan<char> topic, string devicePrefix) =>
        topic.StartsWith(devicePrefix, StringComparison.Ordinal) && TopicParser.TryParseStream(topic[devicePrefix.Length..], out _, out _);

    /// <summary>Only filters inside the device's own topics (e.g. <c>fleet/bkk/emoto/EM-1/#</c>); nothing else, not even <c>#</c>.</summary>
    public static bool MaySubscribe(ReadOnlySpan<char> filter, string devicePrefix) =>
        filter.StartsWith(devicePrefix, StringComparison.Ordinal) || filter.SequenceEqual(devicePrefix.AsSpan(0, devicePrefix.Length - 1));
}
