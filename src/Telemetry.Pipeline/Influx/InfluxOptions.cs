namespace Telemetry.Pipeline.Influx;

/// <summary>
/// Which HTTP write API the gateway speaks: v1 <c>/write</c> (InfluxDB 1.x), v2 <c>/api/v2/write</c>
/// (InfluxDB 2.x and compatible servers), v3 <c>/api/v3/write_lp</c> (InfluxDB 3 Core and Enterprise);
/// <c>Auto</c> asks the server's <c>/ping</c>.
/// </summary>
public enum InfluxApi { Auto, V1, V2, V3 }

/// <summary>Where and how batches are written. Section <c>Influx</c> of appsettings.json.</summary>
public sealed class InfluxOptions
{
    public const string Section = "Influx";

    /// <summary>Base URL of the server, e.g. http://127.0.0.1:8086 (InfluxDB 3 listens on 8181 by default).</summary>
    public Uri? Url { get; set; }
    /// <summary>auto (ask the server's /ping for its version), v1 (/write), v2 (/api/v2/write) or v3 (/api/v3/write_lp).</summary>
    public InfluxApi Api { get; set; } = InfluxApi.Auto;

    /// <summary>v1 and v3: database name.</summary>
    public string Database { get; set; } = "fleet";
    /// <summary>v1: retention policy; empty for the database's default.</summary>
    public string RetentionPolicy { get; set; } = "";
    /// <summary>v1: user name (HTTP basic auth); empty for none.</summary>
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary>v2: organisation and bucket.</summary>
    public string Org { get; set; } = "fleet";
    public string Bucket { get; set; } = "fleet";
    /// <summary>v2 and v3: API token (v2 sends it as <c>Token</c>, v3 as <c>Bearer</c>; InfluxDB 1.8+ also takes "user:password").</summary>
    public string Token { get; set; } = "";

    /// <summary>Create the database (v1, v3) or bucket (v2) at start-up when it does not exist.</summary>
    public bool CreateDatabase { get; set; } = true;
    /// <summary>
    /// How long start-up waits for InfluxDB to answer and the database to be ready before it gives up with an
    /// error (exit code 3). A setting the server refuses (a token, an API it does not have) fails at once.
    /// </summary>
    public int StartupTimeoutSeconds { get; set; } = 120;
    /// <summary>Compress request bodies.</summary>
    public bool Gzip { get; set; } = true;
    public int TimeoutSeconds { get; set; } = 30;
    /// <summary>Concurrent write requests; batches are still acknowledged in order.</summary>
    public int Writers { get; set; } = 2;
    /// <summary>First retry delay after a failed write; doubles up to <see cref="MaxRetryDelayMs"/>, with jitter.</summary>
    public int RetryDelayMs { get; set; } = 250;
    public int MaxRetryDelayMs { get; set; } = 15_000;
}
