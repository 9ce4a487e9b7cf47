namespace DeviceSim.Publishing;

/// <summary>The last topic segment; also selects the InfluxDB measurement the gateway writes.</summary>
public enum StreamKind { Telemetry, Event, Status }

public static class StreamNames
{
    public static string TopicSegment(this StreamKind stream) => stream switch
    {
        StreamKind.Telemetry => "telemetry",
        StreamKind.Event => "event",
        _ => "status",
    };

    public static string Measurement(this StreamKind stream) => stream switch
    {
        StreamKind.Telemetry => "telemetry",
        StreamKind.Event => "events",
        _ => "status",
    };
}
