namespace DeviceSim.Publishing;

/// <summary>One MQTT publish: topic, payload, flags, and the objects it carries (for the manifest).</summary>
public sealed class OutgoingMessage
{
    private int? _sender;

    /// <summary>The vehicle it is from, or −1 for a message of no vehicle (a Sparkplug depot node's own BIRTH and DEATH).</summary>
    public required int VehicleIndex { get; init; }
    /// <summary>Which of the format's MQTT clients publishes it (<see cref="MqttSender"/>); the vehicle's by default.</summary>
    public int Sender
    {
        get => _sender ?? VehicleIndex;
        set => _sender = value;
    }
    public required string Topic { get; set; }
    public required StreamKind Stream { get; init; }
    /// <summary>The points it carries as the gateway must see them (a status for a Sparkplug BIRTH or DEATH).</summary>
    public required IReadOnlyList<SampleObject> Objects { get; set; }
    public bool Retain { get; init; }
    public byte[] Payload { get; set; } = [];
    /// <summary>A binary payload (protobuf, CBOR): the JSON-lines output writes it as base64.</summary>
    public bool Binary { get; set; }
    /// <summary>
    /// Published only after every earlier publish of its connection is acknowledged, and before any later one is
    /// sent: a session message (Sparkplug BIRTH, DEATH) that the messages around it depend on.
    /// </summary>
    public bool Ordered { get; init; }
    /// <summary>Reason the gateway rejects the whole message (bad_json, bad_topic, …), or null.</summary>
    public string? ExpectedRejection { get; set; }
    /// <summary>Simulated time of the newest object (ordering, pacing).</summary>
    public long SimTimeMs { get; init; }
    /// <summary>What the message is to its format's session (Sparkplug), if anything.</summary>
    public object? FormatTag { get; set; }
}
