using DeviceSim.Publishing;
using DeviceSim.Physics;

namespace DeviceSim.Faults;

/// <summary>What happens to a message on its way out.</summary>
public enum Delivery { Normal, Drop, Twice, Delay }

/// <summary>
/// Breaks telemetry messages on purpose, from its own seeded stream, and marks on each message and
/// object the reason the gateway must give, so the manifest counts exactly what was injected.
/// </summary>
public sealed class FaultInjector
{
    private static readonly string[] ForeignKeysForEmoto = ["lift_height_m", "h2_mass_kg", "passengers", "tyre_pressure_kpa"];
    private static readonly string[] ForeignKeysForFuelCell = ["lean_deg", "side_stand", "tyre_pressure_kpa", "gps_fix"];
    private static readonly (string Key, double Min, double Max)[] OutOfRange =
    [
        ("batt_temp_c", 121, 180), ("motor_temp_c", 201, 260), ("batt_v", -60, -1), ("soh_pct", 100.5, 140),
        ("h2_pressure_mpa", 88, 120), ("passengers", 251, 400), ("lean_deg", 71, 89), ("alt_m", 9001, 20000),
    ];
    private static readonly TimeSpan StaleBy = TimeSpan.FromDays(30);

    private readonly FaultPlan _plan;
    private readonly SeededRandom _rng;
    private readonly ulong _seed;

    public FaultInjector(FaultPlan plan, ulong seed)
    {
        _plan = plan;
        _seed = seed;
        _rng = SeededRandom.For(seed, "faults");
    }

    public Dictionary<FaultKind, int> Injected { get; } = [];

    /// <summary>A skew for a vehicle's clock (ms), or 0. Kept within the gateway's window: −2 min … +1 min.</summary>
    public long ClockSkewMs(string vehicleId)
    {
        var rng = SeededRandom.For(_seed ^ 0xC10C, vehicleId);
        if (!rng.Chance(_plan[FaultKind.ClockSkew])) return 0;
        Count(FaultKind.ClockSkew);
        long skew = (long)rng.Range(-120_000, 60_000);
        return skew == 0 ? 1 : skew;
    }

    /// <summary>Picks at most one payload fault for a telemetry message and applies it to the objects or topic.</summary>
    public FaultKind? ApplyPayloadFault(OutgoingMessage message, string kind, List<SampleObject> objects)
    {
        var fault = Pick(FaultKinds.Payload);
        if (fault is not { } f) return null;
        var target = objects[_rng.Next(objects.Count)];
        switch (f)
        {
            case FaultKind.WrongType:
                BreakType(target);
                break;
            case FaultKind.OutOfRange:
                if (!PushOutOfRange(target)) return null;
                break;
            case FaultKind.UnknownKey:
                AddUnknownKey(target, kind);
                break;
            case FaultKind.NoFields:
                target.Fields = [FieldValue.Raw("speed_kmh", "\"fast\""), FieldValue.Raw("soc_pct", "\"n/a\""), FieldValue.Raw("ignition", "\"on\"")];
                target.Seq = null;
                target.ExpectedRejection = "no_fields";
                break;
            case FaultKind.DuplicateField:
                var copy = target.Fields[_rng.Next(target.Fields.Count)];
                target.Fields.Add(copy.Kind == FieldKind.Float ? copy with { Number = copy.Number * 0.98 } : copy);
                target.ExpectedRejection = "duplicate_field";
                break;
            case FaultKind.StaleTs:
                target.TsMs -= (long)StaleBy.TotalMilliseconds;
                target.ExpectedRejection = "ts_out_of_range";
                break;
            case FaultKind.BadTopic:
                message.Topic = BreakTopic(message.Topic);
                message.ExpectedRejection = "bad_topic";
                break;
            case FaultKind.Truncated:
                message.ExpectedRejection = "bad_json"; // applied after serialisation
                break;
        }
        Count(f);
        return f;
    }

    /// <summary>Cuts a serialised payload short: any strict prefix of a JSON object or array is invalid.</summary>
    public byte[] Truncate(byte[] payload) => payload[..(1 + _rng.Next(payload.Length - 1))];

    public (Delivery Delivery, double DelaySamplePeriods, double DelaySeconds) PickDelivery()
    {
        switch (Pick(FaultKinds.Delivery))
        {
            case FaultKind.Duplicate:
                Count(FaultKind.Duplicate);
                return (Delivery.Twice, 0, 0);
            case FaultKind.OutOfOrder:
                Count(FaultKind.OutOfOrder);
                return (Delivery.Delay, _rng.Range(1.5, 3.5), 0);
            case FaultKind.Late:
                Count(FaultKind.Late);
                return (Delivery.Delay, 0, _rng.Range(300, 1800));
            case FaultKind.SeqGap:
                Count(FaultKind.SeqGap);
                return (Delivery.Drop, 0, 0);
            default:
                return (Delivery.Normal, 0, 0);
        }
    }

    private FaultKind? Pick(IReadOnlyList<FaultKind> kinds)
    {
        double total = kinds.Sum(k => _plan[k]);
        if (total <= 0) return null;
        double r = _rng.NextDouble();
        foreach (var kind in kinds)
        {
            if (r < _plan[kind]) return kind;
            r -= _plan[kind];
        }
        return null;
    }

    private void BreakType(SampleObject target)
    {
        int i = _rng.Next(target.Fields.Count);
        var field = target.Fields[i];
        string json = field.Kind switch
        {
            FieldKind.Float or FieldKind.Int => $"\"{PayloadWriter.FormatPlain(field.Number, 1)}\"",
            FieldKind.Bool => field.Flag ? "\"yes\"" : "0",
            _ => "12345",
        };
        target.Fields[i] = FieldValue.Raw(field.Key, json);
        target.ExpectedFieldRejections.Add("field_invalid");
    }

    private bool PushOutOfRange(SampleObject target)
    {
        var candidates = OutOfRange.Where(r => target.Fields.Any(f => f.Key == r.Key)).ToList();
        if (candidates.Count == 0) return false;
        var (key, min, max) = _rng.Pick(candidates);
        int i = target.Fields.FindIndex(f => f.Key == key);
        double value = _rng.Range(min, max);
        target.Fields[i] = target.Fields[i].Kind == FieldKind.Int ? FieldValue.Int(key, (long)value) : FieldValue.Float(key, value, 1);
        target.ExpectedFieldRejections.Add("field_invalid");
        return true;
    }

    private void AddUnknownKey(SampleObject target, string kind)
    {
        if (_rng.Chance(0.25))
        {
            // Firmware debug blob: a nested object under an unknown key is skipped whole.
            target.Fields.Add(FieldValue.Raw("diag", "{\"can_errors\":3,\"modem\":{\"rat\":\"LTE\",\"band\":3}}"));
        }
        else
        {
            var keys = kind == "emoto" ? ForeignKeysForEmoto : ForeignKeysForFuelCell;
            string key = _rng.Pick(keys);
            target.Fields.Add(key is "side_stand" or "gps_fix" ? FieldValue.Bool(key, true) : FieldValue.Float(key, _rng.Range(1, 200), 1));
        }
        target.ExpectedFieldRejections.Add("unknown_key");
    }

    private string BreakTopic(string topic)
    {
        var segments = topic.Split('/');
        switch (_rng.Next(5))
        {
            case 0: segments[1] = segments[1].ToUpperInvariant(); break;          // site must be lowercase
            case 1: segments[2] = "scooter"; break;                              // not a catalogue kind
            case 2: segments[4] = segments[4] + "s"; break;                      // unknown stream
            case 3: segments[3] = segments[3] + ":1"; break;                     // character not allowed in an id
            default: segments[1] = ""; break;                                    // empty site
        }
        return string.Join('/', segments);
    }

    private void Count(FaultKind kind) => Injected[kind] = Injected.GetValueOrDefault(kind) + 1;
}
