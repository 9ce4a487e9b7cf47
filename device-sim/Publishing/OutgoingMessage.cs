namespace DeviceSim.Publishing;

/// <summary>One MQTT publish: topic, payload, flags, and the objects it carries (for the manifest).</summary>
public sealed class OutgoingMessage
{
    public required int VehicleIndex { get; init; }
    public required string Topic { get; set; }
    public required StreamKind Stream { get; init; }
    public required IReadOnlyList<SampleObject> Objects { get; init; }
    public bool Retain { get; init; }
    public byte[] Payload { get; set; } = [];
    /// <summary>Reason the gateway rejects the whole message (bad_json, bad_topic), or null.</summary>
    public string? ExpectedRejection { get; set; }
    /// <summary>Simulated time of the newest object (ordering, pacing).</summary>
    public long SimTimeMs { get; init; }
}
