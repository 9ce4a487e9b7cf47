using DeviceSim.Faults;
using DeviceSim.Fleet;
using DeviceSim.Formats;
using DeviceSim.Manifest;
using DeviceSim.Publishing;
using DeviceSim.Vehicles;

namespace DeviceSim.Simulation;

/// <summary>
/// Steps every vehicle once per simulated second, in a fixed order, and yields the messages they
/// publish in simulated-time order: a retained status when they come online, events as they happen,
/// telemetry every sample period (batched if asked), faults applied, and a final offline status.
/// Everything comes from seeded streams: the same options give the same messages, byte for byte.
/// The <see cref="WireFormat"/> encodes them (JSON, SenML, Sparkplug B) and answers the gateway's requests
/// (Sparkplug rebirths) between two vehicles' steps, never inside a group of messages that belong together.
/// </summary>
public sealed class FleetSimulation
{
    private const long StepMs = 1000;
    private readonly SimulationOptions _options;
    private readonly FaultInjector _faults;
    private readonly ManifestRecorder _manifest;
    private readonly PayloadWriter _writer = new();
    private readonly WireFormat _format;
    private readonly VehicleChannel[] _channels;

    /// <summary>Per-vehicle publishing state: its clock, sequence counter, open batch, held-back messages.</summary>
    private sealed class VehicleChannel(Vehicle vehicle, long phaseMs, long skewMs, bool rfc3339)
    {
        public Vehicle Vehicle { get; } = vehicle;
        public long PhaseMs { get; } = phaseMs;
        public long SkewMs { get; } = skewMs;
        public bool Rfc3339 { get; } = rfc3339;
        public uint Seq;
        public long NextSampleMs;
        public bool WasActive;
        public List<SampleObject> Batch { get; } = [];
        public List<(long ReleaseMs, OutgoingMessage Message)> Held { get; } = [];
    }

    public FleetSimulation(SimulationOptions options, IReadOnlyList<Vehicle> vehicles, FaultInjector faults, ManifestRecorder manifest, WireFormat format)
    {
        _options = options;
        _format = format;
        _faults = faults;
        _manifest = manifest;
        Vehicles = vehicles;
        var phases = new Physics.SeededRandom(options.Seed ^ 0xF1EE7);
        _channels = vehicles.Select(v => new VehicleChannel(v,
            phaseMs: phases.Next(1000),
            skewMs: faults.ClockSkewMs(v.Spec.Id),
            // Forklift telematics stamp local time as RFC 3339 strings in JSON; the others send epoch ms.
            rfc3339: v.Spec.Kind == VehicleKind.H2Forklift && format.Format == PayloadFormat.Json)).ToArray();
    }

    public IReadOnlyList<Vehicle> Vehicles { get; }
    /// <summary>Simulated time of the step in progress (for progress reports).</summary>
    public long CurrentMs { get; private set; }

    /// <summary>The run, message by message. <paramref name="startMs"/> and <paramref name="endMs"/> are simulated epoch ms.</summary>
    public IEnumerable<OutgoingMessage> Run(long startMs, long endMs)
    {
        CurrentMs = startMs;
        foreach (var channel in _channels)
        {
            channel.NextSampleMs = startMs;
            foreach (var m in _format.Status(Status(channel, startMs, online: true))) yield return Send(m);
        }

        for (long t = startMs; t <= endMs; t += StepMs)
        {
            CurrentMs = t;
            var clock = new SimClock(t);
            foreach (var m in Answers(t)) yield return m;
            foreach (var channel in _channels)
            {
                var vehicle = channel.Vehicle;
                vehicle.Step(clock, StepMs / 1000.0);
                _manifest.Truth.Advance(vehicle.Spec.Index, vehicle.BatteryPowerKw, StepMs / 1000.0);
                long ts = t + channel.PhaseMs + channel.SkewMs;
                foreach (var e in vehicle.PendingEvents)
                {
                    _manifest.Truth.Event(vehicle.Spec.Index, ts, e);
                    yield return Send(EventMessage(channel, ts, e));
                }
                vehicle.PendingEvents.Clear();

                // A telematics unit reports at once when the vehicle wakes up (ignition, charger), not at the next idle tick.
                bool active = vehicle.IsActive;
                if (active && !channel.WasActive) channel.NextSampleMs = t;
                channel.WasActive = active;
                if (t >= channel.NextSampleMs)
                {
                    channel.NextSampleMs = t + (long)(vehicle.IsActive ? _options.SamplePeriod : _options.IdlePeriod).TotalMilliseconds;
                    channel.Batch.Add(TelemetrySample(channel, ts));
                    if (channel.Batch.Count >= _options.Batch)
                        foreach (var m in ShipBatch(channel, t)) yield return m;
                }
                foreach (var m in ReleaseHeld(channel, t)) yield return m;
            }
        }

        CurrentMs = endMs;
        _manifest.Truth.Finish();
        foreach (var channel in _channels)
        {
            foreach (var m in Answers(endMs)) yield return m;
            if (channel.Batch.Count > 0)
                foreach (var m in ShipBatch(channel, endMs)) yield return m;
            foreach (var m in ReleaseHeld(channel, long.MaxValue)) yield return m;
            foreach (var m in _format.Status(Status(channel, endMs + channel.PhaseMs + channel.SkewMs, online: false))) yield return Send(m);
        }
        foreach (var m in _format.Finish(endMs)) yield return Send(m);
    }

    /// <summary>What the format must send for the gateway's requests that arrived meanwhile (Sparkplug rebirths), stamped at simulated time <paramref name="t"/>.</summary>
    private IEnumerable<OutgoingMessage> Answers(long t)
    {
        if (!_format.HasRequests) return [];
        return _format.Answer(i => t + _channels[i].PhaseMs + _channels[i].SkewMs).Select(Send).ToList();
    }

    private OutgoingMessage Send(OutgoingMessage message)
    {
        _format.BeforeSend(message);
        if (message.Payload.Length == 0) message.Payload = _writer.Write(message.Objects, asArray: false);
        _manifest.Sent(message);
        return message;
    }

    private OutgoingMessage Status(VehicleChannel channel, long ts, bool online)
    {
        var rng = new Physics.SeededRandom((ulong)ts ^ Physics.SeededRandom.StableHash(channel.Vehicle.Spec.Id));
        var fields = new List<FieldValue>
        {
            FieldValue.Bool("online", online),
            FieldValue.String("fw", channel.Vehicle.Firmware),
            FieldValue.Float("rssi_dbm", rng.Range(-105, -55), 0),
        };
        return new OutgoingMessage
        {
            VehicleIndex = channel.Vehicle.Spec.Index,
            Topic = channel.Vehicle.Spec.TopicPrefix + "status",
            Stream = StreamKind.Status,
            Objects = [Stamp(channel, new SampleObject(StreamKind.Status, ts, fields))],
            Retain = true,
            SimTimeMs = ts,
        };
    }

    private OutgoingMessage EventMessage(VehicleChannel channel, long ts, VehicleEvent e)
    {
        var fields = new List<FieldValue> { FieldValue.String("type", e.Type) };
        fields.AddRange(e.Fields);
        return new OutgoingMessage
        {
            VehicleIndex = channel.Vehicle.Spec.Index,
            Topic = channel.Vehicle.Spec.TopicPrefix + "event",
            Stream = StreamKind.Event,
            Objects = [Stamp(channel, new SampleObject(StreamKind.Event, ts, fields) { EventType = e.Type })],
            SimTimeMs = ts,
        };
    }

    private SampleObject TelemetrySample(VehicleChannel channel, long ts)
    {
        var vehicle = channel.Vehicle;
        var writer = new TelemetryWriter(vehicle.UsesVssPaths);
        vehicle.WriteTelemetry(writer);
        var sample = Stamp(channel, new SampleObject(StreamKind.Telemetry, ts, writer.Take()) { Seq = channel.Seq++ });
        _manifest.Issued(vehicle.Spec.Index, sample);
        _manifest.Truth.Sample(vehicle.Spec.Index, ts, sample.Fields, vehicle.Tally.H2UsedKg);
        return sample;
    }

    private static SampleObject Stamp(VehicleChannel channel, SampleObject obj)
    {
        if (channel.Rfc3339) obj.TsStyle = TsStyle.Rfc3339Bangkok;
        return obj;
    }

    private IEnumerable<OutgoingMessage> ShipBatch(VehicleChannel channel, long t)
    {
        var objects = channel.Batch.ToList();
        channel.Batch.Clear();
        var message = new OutgoingMessage
        {
            VehicleIndex = channel.Vehicle.Spec.Index,
            Topic = channel.Vehicle.Spec.TopicPrefix + "telemetry",
            Stream = StreamKind.Telemetry,
            Objects = objects,
            SimTimeMs = t,
        };
        var (fault, draw) = _faults.ApplyPayloadFault(message, channel.Vehicle.Spec.Kind, objects);
        var frame = _format.Telemetry(message, fault, draw, batched: _options.Batch > 1);

        var (delivery, delayPeriods, delaySeconds) = _faults.PickDelivery();
        foreach (var m in frame.Before ?? []) yield return Send(m);
        switch (delivery)
        {
            case Delivery.Drop:
                _manifest.Dropped(message);
                break;
            case Delivery.Twice:
                yield return Send(message);
                yield return Send(message);
                break;
            case Delivery.Delay:
                long delayMs = (long)(delayPeriods * _options.SamplePeriod.TotalMilliseconds + delaySeconds * 1000);
                channel.Held.Add((t + Math.Max(delayMs, StepMs), message));
                break;
            default:
                yield return Send(message);
                break;
        }
        foreach (var m in frame.After ?? []) yield return Send(m);
    }

    private IEnumerable<OutgoingMessage> ReleaseHeld(VehicleChannel channel, long t)
    {
        if (channel.Held.Count == 0) yield break;
        var due = channel.Held.Where(h => h.ReleaseMs <= t).ToList();
        foreach (var held in due)
        {
            channel.Held.Remove(held);
            yield return Send(held.Message);
        }
    }
}
