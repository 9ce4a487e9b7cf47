using System.Buffers;
using Telemetry.Contract.Catalogue;

namespace Telemetry.Contract.Topics;

public enum StreamKind { Telemetry, Event, Status }

/// <summary>The segments of <c>fleet/{site}/{kind}/{vehicle_id}/{stream}</c>, as slices of the topic.</summary>
public readonly ref struct TopicParts
{
    public TopicParts(ReadOnlySpan<char> site, KindDefinition kind, ReadOnlySpan<char> vehicleId, StreamKind stream)
    {
        Site = site;
        Kind = kind;
        VehicleId = vehicleId;
        Stream = stream;
    }

    public ReadOnlySpan<char> Site { get; }
    public KindDefinition Kind { get; }
    public ReadOnlySpan<char> VehicleId { get; }
    public StreamKind Stream { get; }
}

/// <summary>Parses a topic without allocating; anything that does not match the contract is <c>bad_topic</c>.</summary>
public static class TopicParser
{
    public const int MaxSiteLength = 32;
    public const int MaxVehicleIdLength = 64;

    public static bool TryParse(ReadOnlySpan<char> topic, SignalCatalogue catalogue, out TopicParts parts)
    {
        parts = default;
        if (!topic.StartsWith("fleet/")) return false;
        int at = 6;
        if (!NextSegment(topic, ref at, out var siteRange) || !IsValidSite(topic[siteRange])) return false;
        if (!NextSegment(topic, ref at, out var kindRange)) return false;
        var kind = catalogue.FindKind(topic[kindRange]);
        if (kind is null) return false;
        if (!NextSegment(topic, ref at, out var vehicleRange) || !IsValidVehicleId(topic[vehicleRange])) return false;

        var rest = topic[at..];
        StreamKind stream;
        if (rest.SequenceEqual("telemetry")) stream = StreamKind.Telemetry;
        else if (rest.SequenceEqual("event")) stream = StreamKind.Event;
        else if (rest.SequenceEqual("status")) stream = StreamKind.Status;
        else return false;

        parts = new TopicParts(topic[siteRange], kind, topic[vehicleRange], stream);
        return true;
    }

    private static bool NextSegment(ReadOnlySpan<char> topic, ref int at, out Range segment)
    {
        int slash = topic[at..].IndexOf('/');
        segment = at..(at + Math.Max(slash, 0));
        if (slash < 0) return false;
        at += slash + 1;
        return true;
    }

    private static readonly SearchValues<char> SiteChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");
    private static readonly SearchValues<char> VehicleIdChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

    public static bool IsValidSite(ReadOnlySpan<char> site) =>
        site.Length is > 0 and <= MaxSiteLength && !site.ContainsAnyExcept(SiteChars);

    public static bool IsValidVehicleId(ReadOnlySpan<char> id) =>
        id.Length is > 0 and <= MaxVehicleIdLength && !id.ContainsAnyExcept(VehicleIdChars);
}
