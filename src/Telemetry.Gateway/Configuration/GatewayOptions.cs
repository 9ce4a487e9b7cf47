using Telemetry.Contract.Decoding;

namespace Telemetry.Gateway.Configuration;

/// <summary>Section <c>Gateway</c>: the contract's limits and the process's own settings.</summary>
internal sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Subscriber (an external broker) or EmbeddedBroker (vehicles connect to the gateway; section Broker).</summary>
    public GatewayMode Mode { get; set; } = GatewayMode.Subscriber;

    /// <summary>The signal catalogue; a relative path is looked up in the working directory, then beside the executable.</summary>
    public string CataloguePath { get; set; } = "signals.json";
    public int MaxPayloadBytes { get; set; } = 256 * 1024;
    /// <summary>Objects whose ts is older are rejected (ts_out_of_range).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);
    /// <summary>Objects whose ts is further in the future are rejected (ts_out_of_range).</summary>
    public TimeSpan MaxFuture { get; set; } = TimeSpan.FromMinutes(5);
    public int MaxJsonDepth { get; set; } = 64;
    /// <summary>On stop, how long to wait for open batches to be written and acknowledged.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 15;
    /// <summary>How often totals are logged; 0 turns it off.</summary>
    public int StatsIntervalSeconds { get; set; } = 30;

    public DecoderOptions ToDecoderOptions() => new()
    {
        MaxPayloadBytes = MaxPayloadBytes,
        MaxAge = MaxAge,
        MaxFuture = MaxFuture,
        MaxDepth = MaxJsonDepth,
    };

    public string ResolveCataloguePath()
    {
        if (Path.IsPathRooted(CataloguePath) || File.Exists(CataloguePath)) return CataloguePath;
        var besideExe = Path.Combine(AppContext.BaseDirectory, CataloguePath);
        return File.Exists(besideExe) ? besideExe : CataloguePath;
    }
}
