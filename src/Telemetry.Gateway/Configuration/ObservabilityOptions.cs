namespace Telemetry.Gateway.Configuration;

/// <summary>Section <c>Observability</c>: the HTTP endpoint for <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>, and sampled logging.</summary>
internal sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    /// <summary>http://host:port the endpoint listens on (0.0.0.0 for every interface); empty turns it off.</summary>
    public string ListenUrl { get; set; } = "http://127.0.0.1:9464";
    /// <summary>Rejections are logged at most once per reason per this many seconds, with the count since (0: never).</summary>
    public int RejectionLogSeconds { get; set; } = 10;
}
