using DeviceSim.Fleet;
using DeviceSim.Publishing;

namespace DeviceSim.Manifest;

/// <summary>Counts for one vehicle: what it sent, and what the gateway must write from it.</summary>
public sealed class VehicleAccount
{
    public required VehicleSpec Spec { get; init; }
    public Dictionary<string, int> Messages { get; } = new() { ["telemetry"] = 0, ["event"] = 0, ["status"] = 0 };
    public Dictionary<string, int> Points { get; } = new() { ["telemetry"] = 0, ["events"] = 0, ["status"] = 0 };
    public uint SeqIssued { get; set; }
    public HashSet<uint> SeqWritten { get; } = [];
    public int SeqDropped { get; set; }
}

/// <summary>
/// Keeps exact counts of what was published and of what the gateway must do with it: points per
/// measurement, distinct points (series + time: a duplicate or redelivery overwrites the same point),
/// rejections by reason. Fed with every message actually handed to the output, in order.
/// </summary>
public sealed class ManifestRecorder
{
    private readonly HashSet<(int Vehicle, string Measurement, string? Type, long Ts)> _distinct = [];

    public ManifestRecorder(IReadOnlyList<VehicleSpec> vehicles)
    {
        Vehicles = vehicles.Select(v => new VehicleAccount { Spec = v }).ToList();
    }

    public List<VehicleAccount> Vehicles { get; }
    public Dictionary<string, long> MessagesByStream { get; } = new() { ["telemetry"] = 0, ["event"] = 0, ["status"] = 0 };
    public Dictionary<string, long> ObjectsByStream { get; } = new() { ["telemetry"] = 0, ["event"] = 0, ["status"] = 0 };
    public Dictionary<string, long> MessagesByKind { get; } = [];
    public Dictionary<string, long> Points { get; } = new() { ["telemetry"] = 0, ["events"] = 0, ["status"] = 0 };
    public Dictionary<string, long> DistinctPoints { get; } = new() { ["telemetry"] = 0, ["events"] = 0, ["status"] = 0 };
    public SortedDictionary<string, long> Rejections { get; } = [];
    public SortedDictionary<string, long> EventsByType { get; } = [];
    public long Bytes { get; private set; }
    public long Messages { get; private set; }

    /// <summary>A message was handed to the output (it will reach the broker unless publishing fails).</summary>
    public void Sent(OutgoingMessage message)
    {
        var account = Vehicles[message.VehicleIndex];
        string stream = message.Stream.TopicSegment();
        Messages++;
        Bytes += message.Payload.Length;
        MessagesByStream[stream]++;
        ObjectsByStream[stream] += message.Objects.Count;
        account.Messages[stream]++;
        string kind = account.Spec.Kind;
        MessagesByKind[kind] = MessagesByKind.GetValueOrDefault(kind) + 1;

        if (message.ExpectedRejection is { } whole)
        {
            Reject(whole);
            return;
        }
        string measurement = message.Stream.Measurement();
        foreach (var obj in message.Objects)
        {
            if (obj.ExpectedRejection is { } reason)
            {
                Reject(reason);
                continue;
            }
            foreach (var fieldReason in obj.ExpectedFieldRejections) Reject(fieldReason);
            Points[measurement]++;
            account.Points[measurement]++;
            if (_distinct.Add((message.VehicleIndex, measurement, obj.EventType, obj.TsMs))) DistinctPoints[measurement]++;
            if (obj.Seq is { } seq) account.SeqWritten.Add(seq);
            if (obj.EventType is { } type) EventsByType[type] = EventsByType.GetValueOrDefault(type) + 1;
        }
    }

    /// <summary>A telemetry message dropped on purpose (a seq gap): its sequence numbers never arrive.</summary>
    public void Dropped(OutgoingMessage message) => Vehicles[message.VehicleIndex].SeqDropped += message.Objects.Count;

    private void Reject(string reason) => Rejections[reason] = Rejections.GetValueOrDefault(reason) + 1;

    public long DistinctTotal => DistinctPoints.Values.Sum();
    public long PointsTotal => Points.Values.Sum();
}
