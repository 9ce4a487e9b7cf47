using DeviceSim.Faults;
using DeviceSim.Fleet;

namespace DeviceSim.Simulation;

/// <summary>Everything a run is configured with (from flags or a config file).</summary>
public sealed class SimulationOptions
{
    public FleetPlan Fleet { get; } = new();
    public ulong Seed { get; set; } = 1;

    // Time
    public bool SimDay { get; set; }
    public TimeSpan SimSpan { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(1);
    public DateTimeOffset? SimEnd { get; set; }
    public bool NoPacing { get; set; }

    // Sampling
    public TimeSpan SamplePeriod { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan IdlePeriod { get; set; } = TimeSpan.FromSeconds(60);
    public int Batch { get; set; } = 1;

    // Output
    /// <summary>How telemetry goes on the wire (<c>--format</c>): JSON, Sparkplug B, SenML JSON or SenML CBOR.</summary>
    public Formats.PayloadFormat Format { get; set; } = Formats.PayloadFormat.Json;
    public string? OutFile { get; set; }
    public string Broker { get; set; } = "127.0.0.1:1883";
    public int Qos { get; set; } = 1;
    /// <summary>Null: one connection per vehicle (each with its own last will); otherwise a shared pool.</summary>
    public int? Connections { get; set; }
    public int Inflight { get; set; } = 20;
    /// <summary>How long a connection may stay lost (reconnecting, its publishes waiting to be sent again) before they count as failed.</summary>
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public string ClientPrefix { get; set; } = "device-sim";
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>Per-vehicle passwords (vehicle id → password): each vehicle connects as itself (client id and user name = its id).</summary>
    public IReadOnlyDictionary<string, string>? Credentials { get; set; }

    public FaultPlan Faults { get; set; } = new();

    // Load mode
    public bool Load { get; set; }
    public long Messages { get; set; } = 200_000;

    // Reporting
    public string? ManifestPath { get; set; }
    public bool Quiet { get; set; }
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>File output of an accelerated run goes as fast as it can; everything else keeps to the clock.</summary>
    public bool Paced => !NoPacing && !(OutFile is not null && SimDay);
}
