using DeviceSim.Faults;
using DeviceSim.Fleet;
using DeviceSim.Formats.Senml;
using DeviceSim.Formats.Sparkplug;
using DeviceSim.Publishing;
using DeviceSim.Simulation;
using DeviceSim.Vehicles;

namespace DeviceSim.Formats;

/// <summary>Messages a format publishes around a telemetry message (Sparkplug's session faults), or none.</summary>
public readonly record struct TelemetryFrame(IReadOnlyList<OutgoingMessage>? Before, IReadOnlyList<OutgoingMessage>? After);

/// <summary>
/// Turns the simulation's messages into what goes on the wire in one format: topics, payloads, faults that
/// depend on the encoding (a cut payload, a broken topic) and the gateway's answer to each, and which MQTT
/// client publishes what. The fleet, its physics and the choice of faults are the same in every format;
/// events (and, but for Sparkplug, status) are the JSON of wire contract section 2 in every format.
/// </summary>
public abstract class WireFormat
{
    protected WireFormat(IReadOnlyList<Vehicle> vehicles) => Vehicles = vehicles;

    public IReadOnlyList<Vehicle> Vehicles { get; }
    public abstract PayloadFormat Format { get; }

    public static WireFormat Create(PayloadFormat format, IReadOnlyList<Vehicle> vehicles, ulong seed) => format switch
    {
        PayloadFormat.Json => new JsonFormat(vehicles),
        PayloadFormat.Senml => new SenmlFormat(vehicles, cbor: false),
        PayloadFormat.SenmlCbor => new SenmlFormat(vehicles, cbor: true),
        _ => new SparkplugFormat(vehicles, seed),
    };

    /// <summary>The MQTT clients that publish, in the order <see cref="OutgoingMessage.Sender"/> indexes them.</summary>
    public virtual IReadOnlyList<MqttSender> Senders(SimulationOptions options)
    {
        if (options.Connections is { } pool)
            return Enumerable.Range(0, pool)
                .Select(i => new MqttSender($"{options.ClientPrefix}-pool-{i}") { Username = options.Username, Password = options.Password })
                .ToList();
        return Vehicles.Select(v => v.Spec).Select(spec =>
        {
            var (clientId, username, password) = Identity(options, spec.Id);
            return new MqttSender(clientId)
            {
                Username = username,
                Password = password,
                // A vehicle's retained last will: the broker publishes it if the simulator dies without disconnecting.
                WillTopic = spec.TopicPrefix + "status",
                WillPayload = "{\"online\":false}"u8.ToArray(),
                WillRetain = true,
            };
        }).ToList();
    }

    /// <summary>Client id and credentials of a client that logs in as <paramref name="id"/> (with <c>--credentials</c>) or under the prefix.</summary>
    protected static (string ClientId, string? Username, string? Password) Identity(SimulationOptions options, string id)
    {
        if (options.Credentials is null) return ($"{options.ClientPrefix}-{id}", options.Username, options.Password);
        if (!options.Credentials.TryGetValue(id, out var password))
            throw new InvalidOperationException($"--credentials has no password for {id}");
        return (id, id, password);
    }

    /// <summary>A status message (online when a vehicle starts, offline when it stops) as the format sends it.</summary>
    public virtual IEnumerable<OutgoingMessage> Status(OutgoingMessage status) => [status];

    /// <summary>
    /// Encodes a telemetry message whose objects carry their payload faults: sets its topic and payload and, for a
    /// fault the encoding decides (<c>truncated</c>, <c>bad_topic</c>), the gateway's reason. <paramref name="draw"/>
    /// (in [0, 1)) picks the details of those faults.
    /// </summary>
    public abstract TelemetryFrame Telemetry(OutgoingMessage message, FaultKind? fault, double draw, bool batched);

    /// <summary>Called in publishing order, just before a message is counted and sent: what the gateway will make of it may depend on what went before.</summary>
    public virtual void BeforeSend(OutgoingMessage message) { }

    /// <summary>True when the gateway asked for something the format must answer (Sparkplug's rebirth).</summary>
    public virtual bool HasRequests => false;

    /// <summary>The answers to the gateway's requests; <paramref name="stamp"/> gives a vehicle's <c>ts</c> now.</summary>
    public virtual IEnumerable<OutgoingMessage> Answer(Func<int, long> stamp) => [];

    /// <summary>What the format sends after every vehicle has stopped.</summary>
    public virtual IEnumerable<OutgoingMessage> Finish(long simMs) => [];

    /// <summary>A message arrived on a sender's command subscription (<see cref="MqttSender.CommandFilter"/>). Any thread.</summary>
    public virtual void OnCommand(int sender, string topic, byte[] payload) { }

    /// <summary>In load mode, whether the status messages must be sent too (they are the session: Sparkplug's BIRTH and DEATH).</summary>
    public virtual bool StatusIsSession => false;

    /// <summary>Counts for the manifest's <c>format</c> section.</summary>
    public virtual IReadOnlyDictionary<string, long> Counts => new Dictionary<string, long>();
}
