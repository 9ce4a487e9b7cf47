using DeviceSim.Faults;
using DeviceSim.Publishing;

namespace DeviceSim.Formats;

/// <summary>The faults the encoding decides on a <c>fleet/{site}/{kind}/{vehicle_id}/{stream}</c> topic (JSON and SenML): a broken topic, a cut payload.</summary>
public static class FleetTopic
{
    /// <summary>
    /// One of five breakages, picked by <paramref name="draw"/> (in [0, 1)); always 5 levels, so the gateway's
    /// <c>fleet/+/+/+/+</c> still receives it.
    /// </summary>
    public static string Break(string topic, double draw)
    {
        var segments = topic.Split('/');
        switch ((int)(draw * 5))
        {
            case 0: segments[1] = segments[1].ToUpperInvariant(); break;          // site must be lowercase
            case 1: segments[2] = "scooter"; break;                              // not a catalogue kind
            case 2: segments[4] = segments[4] + "s"; break;                      // unknown stream
            case 3: segments[3] = segments[3] + ":1"; break;                     // character not allowed in an id
            default: segments[1] = ""; break;                                    // empty site
        }
        return string.Join('/', segments);
    }

    /// <summary>
    /// A strict prefix of <paramref name="payload"/> (1 … length − 1 bytes, picked by <paramref name="draw"/>): no strict
    /// prefix of a JSON value or of one CBOR data item is valid.
    /// </summary>
    public static byte[] Truncate(byte[] payload, double draw) => payload[..(1 + (int)(draw * (payload.Length - 1)))];

    /// <summary>
    /// Applies the faults the encoding decides to an encoded message on a <c>fleet/…</c> topic: a cut payload (the
    /// gateway's reason for it is <paramref name="cutReason"/>) or a broken topic.
    /// </summary>
    public static void ApplyEncodingFault(OutgoingMessage message, FaultKind? fault, double draw, string cutReason)
    {
        switch (fault)
        {
            case FaultKind.Truncated:
                message.Payload = Truncate(message.Payload, draw);
                message.ExpectedRejection = cutReason;
                break;
            case FaultKind.BadTopic:
                message.Topic = Break(message.Topic, draw);
                message.ExpectedRejection = "bad_topic";
                break;
        }
    }
}
