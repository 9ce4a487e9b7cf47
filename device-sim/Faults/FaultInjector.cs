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

    /// <summary>
    /// Picks at most one payload fault for a telemetry message and applies it to its objects. Faults the encoding
    /// decides (a cut payload, a broken topic, Sparkplug's session faults) are left to the format, with
    /// <c>Draw</c> (in [0, 1)) to pick their details: the same draws in every format, so that the same messages get
    /// the same faults whatever the format.
    /// </summary>
    public (FaultKind? Fault, double Draw) ApplyPayloadFault(OutgoingMessage message, string kind, List<SampleObject> objects)
    {
        var fault = Pick(FaultKinds.Payload);
        if (fault is not { } f) return (null, 0);
        if (FaultKinds.SparkplugOnly.Contains(f))
        {
            Count(f);
            return (f, 0);
        }
        var target = objects[_rng.Next(objects.Count)];
        double draw = 0;
        switch (f)
        {
            case FaultKind.WrongType:
                BreakType(target);
                break;
            case FaultKind.OutOfRange:
                if (!PushOutOfRange(target)) return (null, 0);
                break;
            case FaultKind.UnknownKey:
                AddUnknownKey(target, kind);
                break;
            case FaultKind.NoFields:
                target.Fields = [FieldValue.String("speed_kmh", "fast"), FieldValue.String("soc_pct", "n/a"), FieldValue.String("ignition", "on")];
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
            case FaultKind.BadTopic or FaultKind.Truncated:
                draw = _rng.NextDouble();
                break;
        }
        Count(f);
        return (f, draw);
    }

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
        // A number as text ("38.5"), a boolean as "yes" or 0, a string as 12345.
        target.Fields[i] = field.Kind switch
        {
            FieldKind.Float or FieldKind.Int => FieldValue.String(field.Key, PayloadWriter.FormatPlain(field.Number, 1)),
            FieldKind.Bool => field.Flag ? FieldValue.String(field.Key, "yes") : FieldValue.Int(field.Key, 0),
            _ => FieldValue.Int(field.Key, 12345),
        };
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

    private void Count(FaultKind kind) => Injected[kind] = Injected.GetValueOrDefault(kind) + 1;
}
