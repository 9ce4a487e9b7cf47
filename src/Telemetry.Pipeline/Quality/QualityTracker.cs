using Telemetry.Contract.Decoding;

namespace Telemetry.Pipeline.Quality;

/// <summary>
/// Per-vehicle accounting of what was received, written and rejected, and of <c>seq</c> gaps and
/// duplicates. Fed by the pipeline's decode sink on the decoding thread; read by
/// <see cref="QualityReporter"/> and the metrics. A vehicle is keyed by its topic without the stream
/// (<c>fleet/{site}/{kind}/{vehicle_id}</c>), looked up as a span so the steady state allocates nothing.
/// </summary>
public sealed class QualityTracker
{
    private readonly object _gate = new();
    private readonly Dictionary<string, VehicleQuality> _vehicles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VehicleQuality>.AlternateLookup<ReadOnlySpan<char>> _byPrefix;
    private readonly Dictionary<string, KindQuality> _kinds = new(StringComparer.Ordinal);
    private readonly int _maxVehicles;
    private readonly Dictionary<string, VehicleQuality> _byForeignTopic = new(StringComparer.Ordinal);
    private string? _lastTopic;
    private VehicleQuality? _lastVehicle;
    private long _interval;
    private long _untrackedSamples;

    public QualityTracker(QualityOptions options)
    {
        _maxVehicles = options.MaxVehicles;
        _byPrefix = _vehicles.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int VehicleCount { get { lock (_gate) return _vehicles.Count; } }
    /// <summary>Samples of vehicles beyond <see cref="QualityOptions.MaxVehicles"/>, not accounted per vehicle.</summary>
    public long UntrackedSamples => Interlocked.Read(ref _untrackedSamples);

    /// <summary>
    /// Names the vehicle of a topic that is not <c>fleet/{site}/{kind}/{vehicle_id}/…</c> (Sparkplug's
    /// <c>spBv1.0/…</c>, where the kind comes from the BIRTH): its samples are counted with the same
    /// vehicle's. Asked once per distinct topic; a topic it cannot name yet is not counted.
    /// </summary>
    public ForeignTopicResolver? ForeignTopics { get; set; }

    public delegate bool ForeignTopicResolver(string topic, out string site, out string kind, out string vehicleId);

    /// <summary>A sample of <paramref name="topic"/> became a point; <paramref name="seq"/> is -1 when it had none.</summary>
    public void OnPoint(string topic, long seq)
    {
        lock (_gate)
        {
            var vehicle = Resolve(topic);
            if (vehicle is null) return;
            var counts = new QualityCounts { Received = 1, Written = 1 };
            if (seq >= 0)
            {
                switch (vehicle.Seq.Observe((uint)seq, out uint missing))
                {
                    case SeqFinding.InOrder: counts.SeqReceived = 1; break;
                    case SeqFinding.Gap: counts.SeqReceived = 1; counts.SeqLost = missing; break;
                    case SeqFinding.LateFill: counts.SeqReceived = 1; counts.SeqLost = -1; break;
                    case SeqFinding.Duplicate: counts.SeqDuplicates = 1; break;
                    case SeqFinding.Reset: counts.SeqReceived = 1; counts.SeqResets = 1; break;
                }
            }
            Count(vehicle, counts);
        }
    }

    /// <summary>The decoder rejected a sample, a whole payload (counted as one sample) or one field of a point.</summary>
    public void OnRejected(string topic, RejectReason reason)
    {
        if (reason == RejectReason.BadTopic) return; // no vehicle to charge it to; counted by reason in the metrics
        lock (_gate)
        {
            var vehicle = Resolve(topic);
            if (vehicle is null) return;
            Count(vehicle, reason.IsFieldLevel() ? new QualityCounts { FieldsDropped = 1 } : new QualityCounts { Received = 1, Rejected = 1 });
        }
    }

    private static void Count(VehicleQuality vehicle, in QualityCounts counts)
    {
        vehicle.Unreported.Add(counts);
        vehicle.KindTotals.Total.Add(counts);
    }

    /// <summary>Caller holds the lock. Null when the vehicle is new and <see cref="QualityOptions.MaxVehicles"/> are tracked.</summary>
    private VehicleQuality? Resolve(string topic)
    {
        if (ReferenceEquals(topic, _lastTopic)) return _lastVehicle; // the objects of one payload share its topic string
        if (!topic.StartsWith("fleet/", StringComparison.Ordinal)) return ResolveForeign(topic);
        var prefix = topic.AsSpan(0, Math.Max(0, topic.LastIndexOf('/')));
        if (!_byPrefix.TryGetValue(prefix, out var vehicle))
        {
            if (_vehicles.Count >= _maxVehicles)
            {
                _untrackedSamples++;
                return null;
            }
            vehicle = NewVehicle(prefix.ToString());
        }
        vehicle.LastActiveInterval = _interval;
        _lastTopic = topic;
        _lastVehicle = vehicle;
        return vehicle;
    }

    /// <summary>Caller holds the lock.</summary>
    private VehicleQuality? ResolveForeign(string topic)
    {
        if (!_byForeignTopic.TryGetValue(topic, out var vehicle))
        {
            if (ForeignTopics is null || !ForeignTopics(topic, out var site, out var kind, out var id)) return null;
            string prefix = $"fleet/{site}/{kind}/{id}";
            if (!_vehicles.TryGetValue(prefix, out vehicle))
            {
                if (_vehicles.Count >= _maxVehicles)
                {
                    _untrackedSamples++;
                    return null;
                }
                vehicle = NewVehicle(prefix);
            }
            _byForeignTopic.Add(topic, vehicle);
        }
        vehicle.LastActiveInterval = _interval;
        _lastTopic = topic;
        _lastVehicle = vehicle;
        return vehicle;
    }

    private VehicleQuality NewVehicle(string prefix)
    {
        // prefix is fleet/{site}/{kind}/{vehicle_id}: the decoder accepted the topic before reporting anything but bad_topic.
        var parts = prefix.Split('/');
        string site = parts.Length > 1 ? parts[1] : "", kind = parts.Length > 2 ? parts[2] : "", id = parts.Length > 3 ? parts[3] : "";
        if (!_kinds.TryGetValue(kind, out var kindTotals)) _kinds.Add(kind, kindTotals = new KindQuality(kind));
        var vehicle = new VehicleQuality(site, kind, id, kindTotals);
        _vehicles.Add(prefix, vehicle);
        return vehicle;
    }

    /// <summary>Running totals per kind since start-up.</summary>
    public IReadOnlyList<(string Kind, QualityCounts Total)> KindTotals()
    {
        lock (_gate) return _kinds.Values.Select(k => (k.Kind, k.Total)).ToArray();
    }

    /// <summary>
    /// Counts of every vehicle with something to report, and starts a new interval. Vehicles idle for
    /// <paramref name="forgetAfterIntervals"/> intervals with nothing unreported are forgotten.
    /// </summary>
    internal IReadOnlyList<(VehicleQuality Vehicle, QualityCounts Counts)> Unreported(long forgetAfterIntervals)
    {
        lock (_gate)
        {
            var due = new List<(VehicleQuality, QualityCounts)>();
            List<string>? idle = null;
            foreach (var (key, vehicle) in _vehicles)
            {
                if (!vehicle.Unreported.IsZero) due.Add((vehicle, vehicle.Unreported));
                else if (_interval - vehicle.LastActiveInterval >= forgetAfterIntervals) (idle ??= []).Add(key);
            }
            foreach (var key in idle ?? []) _vehicles.Remove(key);
            if (idle is not null)
            {
                _lastTopic = null;
                _byForeignTopic.Clear(); // named again on their next sample
            }
            _interval++;
            return due;
        }
    }

    /// <summary>Takes what <see cref="Unreported"/> returned off the vehicles' counts, once it is stored.</summary>
    internal void MarkReported(IEnumerable<(VehicleQuality Vehicle, QualityCounts Counts)> reported)
    {
        lock (_gate)
            foreach (var (vehicle, counts) in reported) vehicle.Unreported.Subtract(counts);
    }
}
