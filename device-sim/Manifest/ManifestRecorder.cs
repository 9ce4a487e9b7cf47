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
    /// <summary>Sequence numbers per local day (Asia/Bangkok) of the sample's <c>ts</c>, for completeness per vehicle-day.</summary>
    public SortedDictionary<DateOnly, DaySeq> Days { get; } = [];

    public DaySeq Day(long tsMs)
    {
        var date = ManifestRecorder.LocalDate(tsMs);
        if (!Days.TryGetValue(date, out var day)) Days[date] = day = new DaySeq();
        return day;
    }
}

/// <summary>
/// One vehicle-day's sequence numbers: issued, dropped on purpose (a <c>seq_gap</c>), and the distinct ones
/// that reach InfluxDB. Completeness as wire contract section 8 computes it from what InfluxDB holds:
/// received ÷ (max − min + 1) of the received numbers, so numbers lost before the day's first or after
/// its last received one do not count as missing.
/// </summary>
public sealed class DaySeq
{
    public int Issued { get; set; }
    public int Dropped { get; set; }
    public HashSet<uint> Written { get; } = [];
    public long Expected => Written.Count == 0 ? 0 : (long)Written.Max() - Written.Min() + 1;
    public double? CompletenessPct => Written.Count == 0 ? null : 100.0 * Written.Count / Expected;
    /// <summary>Issued numbers lost in a rejected object or message (dropped ones aside).</summary>
    public int Rejected => Issued - Written.Count - Dropped;
}

/// <summary>
/// Keeps exact counts of what was published and of what the gateway must do with it: points per
/// measurement, distinct points (series + time: a duplicate or redelivery overwrites the same point),
/// rejections by reason. Fed with every message actually handed to the output, in order.
/// </summary>
public sealed class ManifestRecorder
{
    private readonly HashSet<(int Vehicle, string Measurement, string? Type, long Ts)> _distinct = [];

    /// <summary>Thailand keeps UTC+7 all year: the study's local days are Asia/Bangkok.</summary>
    public static readonly TimeSpan LocalOffset = TimeSpan.FromHours(7);

    public ManifestRecorder(IReadOnlyList<VehicleSpec> vehicles)
    {
        Vehicles = vehicles.Select(v => new VehicleAccount { Spec = v }).ToList();
        Truth = new GroundTruth(vehicles.Count);
    }

    public static DateOnly LocalDate(long unixMs) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToOffset(LocalOffset).DateTime);

    public List<VehicleAccount> Vehicles { get; }
    /// <summary>Trips, charge sessions, swaps and refuels as they happened, for the study to be checked against.</summary>
    public GroundTruth Truth { get; }
    public Dictionary<string, long> MessagesByStream { get; } = new() { ["telemetry"] = 0, ["event"] = 0, ["status"] = 0 };
    public Dictionary<string, long> ObjectsByStream { get; } = new() { ["telemetry"] = 0, ["event"] = 0, ["status"] = 0 };
    public Dictionary<string, long> MessagesByKind { get; } = [];
    public Dictionary<string, long> Points { get; } = new() { ["telemetry"] = 0, ["events"] = 0, ["status"] = 0 };
    public Dictionary<string, long> DistinctPoints { get; } = new() { ["telemetry"] = 0, ["events"] = 0, ["status"] = 0 };
    public SortedDictionary<string, long> Rejections { get; } = [];
    public SortedDictionary<string, long> EventsByType { get; } = [];
    public long Bytes { get; private set; }
    /// <summary>Points the gateway stamps with its receive time (a Sparkplug DEATH's offline status).</summary>
    public long ReceiveTimePoints { get; private set; }
    public long Messages { get; private set; }

    /// <summary>A message was handed to the output (it will reach the broker unless publishing fails).</summary>
    public void Sent(OutgoingMessage message)
    {
        string stream = message.Stream.TopicSegment();
        Messages++;
        Bytes += message.Payload.Length;
        MessagesByStream[stream]++;
        ObjectsByStream[stream] += message.Objects.Count;
        // A Sparkplug depot node's own BIRTH and DEATH belong to no vehicle.
        var account = message.VehicleIndex >= 0 ? Vehicles[message.VehicleIndex] : null;
        if (account is not null)
        {
            account.Messages[stream]++;
            string kind = account.Spec.Kind;
            MessagesByKind[kind] = MessagesByKind.GetValueOrDefault(kind) + 1;
        }

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
            account!.Points[measurement]++;
            // A point stamped with the receive time (a Sparkplug DEATH's status) is a time of its own.
            if (obj.TsStyle == TsStyle.Omitted)
            {
                ReceiveTimePoints++;
                DistinctPoints[measurement]++;
            }
            else if (_distinct.Add((message.VehicleIndex, measurement, obj.EventType, obj.TsMs))) DistinctPoints[measurement]++;
            if (obj.Seq is { } seq)
            {
                account.SeqWritten.Add(seq);
                account.Day(obj.TsMs).Written.Add(seq);
            }
            if (obj.EventType is { } type) EventsByType[type] = EventsByType.GetValueOrDefault(type) + 1;
        }
    }

    /// <summary>A telemetry sample was issued with the next sequence number.</summary>
    public void Issued(int vehicle, SampleObject sample)
    {
        var account = Vehicles[vehicle];
        account.SeqIssued = sample.Seq!.Value + 1;
        account.Day(sample.IssuedTsMs).Issued++;
    }

    /// <summary>A telemetry message dropped on purpose (a seq gap): its sequence numbers never arrive.</summary>
    public void Dropped(OutgoingMessage message)
    {
        var account = Vehicles[message.VehicleIndex];
        account.SeqDropped += message.Objects.Count;
        foreach (var obj in message.Objects) account.Day(obj.IssuedTsMs).Dropped++;
    }

    private void Reject(string reason) => Rejections[reason] = Rejections.GetValueOrDefault(reason) + 1;

    public long DistinctTotal => DistinctPoints.Values.Sum();
    public long PointsTotal => Points.Values.Sum();
}
