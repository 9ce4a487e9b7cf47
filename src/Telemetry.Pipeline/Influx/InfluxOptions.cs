namespace Telemetry.Pipeline.Influx;

public enum InfluxApi { Auto, V1, V2 }

/// <summary>Where and how batches are written. Section <c>Influx</c> of appsettings.json.</summary>
public sealed class InfluxOptions
{
    public const string Section = "Influx";

    /// <summary>Base URL of the server, e.g. http://127.0.0.1:8086.</summary>
    public Uri? Url { get; set; }
    /// <summary>auto (ask the server's /ping for its version), v1 (/write) or v2 (/api/v2/write).</summary>
    public InfluxApi Api { get; set; } = InfluxApi.Auto;

    /// <summary>v1: database name.</summary>
    public string Database { get; set; } = "fleet";
    /// <summary>v1: retention policy; empty for the database's default.</summary>
    public string RetentionPolicy { get; set; } = "";
    /// <summary>v1: user name (HTTP basic auth); empty for none.</summary>
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary>v2: organisation and bucket.</summary>
    public string Org { get; set; } = "fleet";
    public string Bucket { get; set; } = "fleet";
    /// <summary>v2: API token (also accepted by InfluxDB 1.8+ as "user:password").</summary>
    public string Token { get; set; } = "";

    /// <summary>Create the database (v1) or bucket (v2) at start-up when it does not exist.</summary>
    public bool CreateDatabase { get; set; } = true;
    /// <summary>Compress request bodies.</summary>
    public bool Gzip { get; set; } = true;
    public int TimeoutSeconds { get; set; } = 30;
    /// <summary>Concurrent write requests; batches are still acknowledged in order.</summary>
    public int Writers { get; set; } = 2;
    /// <summary>First retry delay after a failed write; doubles up to <see cref="MaxRetryDelayMs"/>, with jitter.</summary>
    public int RetryDelayMs { get; set; } = 250;
    public int MaxRetryDelayMs { get; set; } = 15_000;
}
