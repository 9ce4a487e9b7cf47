namespace DeviceSim.Publishing;

/// <summary>
/// One MQTT client of a run: a vehicle, a Sparkplug edge node or a pooled relay connection. Its will (if any) is
/// what the broker publishes when the connection dies without a DISCONNECT; <see cref="CommandFilter"/> is a
/// topic filter it subscribes to (a Sparkplug edge node's NCMD), handed to the sink's command callback.
/// </summary>
public sealed record MqttSender(string ClientId)
{
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? WillTopic { get; init; }
    public byte[]? WillPayload { get; init; }
    public bool WillRetain { get; init; }
    public string? CommandFilter { get; init; }
}
