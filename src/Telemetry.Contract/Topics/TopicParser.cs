using System.Buffers;
using Telemetry.Contract.Catalogue;
using Telemetry.Contract.Decoding;

namespace Telemetry.Contract.Topics;

/// <summary>The measurement a point goes to: <c>telemetry</c>, <c>events</c> or <c>status</c>.</summary>
public enum StreamKind { Telemetry, Event, Status }

/// <summary>The segments of <c>fleet/{site}/{kind}/{vehicle_id}/{stream}</c>, as slices of the topic.</summary>
public readonly ref struct TopicParts
{
    public TopicParts(ReadOnlySpan<char> site, KindDefinition kind, ReadOnlySpan<char> vehicleId, StreamKind stream,
        PayloadFormat format = PayloadFormat.Json)
    {
        Site = site;
        Kind = kind;
        VehicleId = vehicleId;
        Stream = stream;
        Format = format;
    }

    public ReadOnlySpan<char> Site { get; }
    public KindDefinition Kind { get; }
    public ReadOnlySpan<char> VehicleId { get; }
    /// <summary>The measurement of the message's points.</summary>
    public StreamKind Stream { get; }
    public PayloadFormat Format { get; }
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

        if (!TryParseStream(topic[at..], out var stream, out var format)) return false;
        parts = new TopicParts(topic[siteRange], kind, topic[vehicleRange], stream, format);
        return true;
    }

    /// <summary>
    /// The stream names of sections 1, 6 and 7: <c>telemetry</c>, <c>event</c>, <c>status</c>, <c>senml</c>, <c>senml-cbor</c>,
    /// <c>lp</c> (whose lines name their own measurement; <c>telemetry</c> until one does).
    /// </summary>
    public static bool TryParseStream(ReadOnlySpan<char> name, out StreamKind stream, out PayloadFormat format)
    {
        (stream, format) = name switch
        {
            "telemetry" => (StreamKind.Telemetry, PayloadFormat.Json),
            "event" => (StreamKind.Event, PayloadFormat.Json),
            "status" => (StreamKind.Status, PayloadFormat.Json),
            "senml" => (StreamKind.Telemetry, PayloadFormat.SenmlJson),
            "senml-cbor" => (StreamKind.Telemetry, PayloadFormat.SenmlCbor),
            "lp" => (StreamKind.Telemetry, PayloadFormat.LineProtocol),
            _ => ((StreamKind)(-1), (PayloadFormat)(-1)),
        };
        return (int)stream >= 0;
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
