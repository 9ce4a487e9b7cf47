namespace DeviceSim.Formats;

/// <summary>Breaking a <c>fleet/{site}/{kind}/{vehicle_id}/{stream}</c> topic for the <c>bad_topic</c> fault (JSON and SenML).</summary>
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
}
