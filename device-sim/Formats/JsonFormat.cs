using DeviceSim.Faults;
using DeviceSim.Publishing;
using DeviceSim.Vehicles;

namespace DeviceSim.Formats;

/// <summary>Wire contract section 2: telemetry as a JSON object, or an array of them for a batch.</summary>
public sealed class JsonFormat(IReadOnlyList<Vehicle> vehicles) : WireFormat(vehicles)
{
    private readonly PayloadWriter _writer = new();

    public override PayloadFormat Format => PayloadFormat.Json;

    public override TelemetryFrame Telemetry(OutgoingMessage message, FaultKind? fault, double draw, bool batched)
    {
        message.Payload = _writer.Write(message.Objects, asArray: batched);
        FleetTopic.ApplyEncodingFault(message, fault, draw, cutReason: "bad_json");
        return default;
    }
}
