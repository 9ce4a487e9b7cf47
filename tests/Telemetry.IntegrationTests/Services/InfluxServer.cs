using System.Diagnostics;
using System.Net;
using System.Text;

namespace Telemetry.IntegrationTests.Services;

/// <summary>influxd 1.6.7 with the repository's config/influxdb.conf template, on free ports of 127.0.0.1, data in its temp dir.</summary>
public sealed class InfluxServer : LocalServer
{
    static readonly TimeSpan pollInterval = TimeSpan.FromMilliseconds(100);
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(60) };

    InfluxServer() : base("influxd")
    {
    }

    /// <summary>A database name of its own for one test on the shared server, e.g. "exact_3f2a9c…" (24 characters at most).</summary>
    public static string NewDatabaseName(string purpose) => $"{purpose}_{Guid.NewGuid():N}"[..24];

    /// <summary>HTTP API, e.g. http://127.0.0.1:41234/ (with the trailing slash).</summary>
    public Uri Url { get; private set; } = null!;

    public int HttpPort { get; private set; }

    /// <summary>The backup/restore RPC port (top-level bind-address).</summary>
    public int RpcPort { get; private set; }

    public string ConfigPath => Path.Combine(TempDirectory, "influxdb.conf");

    public static Task<InfluxServer> StartAsync(CancellationToken ct = default) =>
        StartNewAsync(new InfluxServer(), ct);

    public async Task CreateDatabaseAsync(string db, CancellationToken ct = default)
    {
        var result = await ExecuteAsync(null, $"CREATE DATABASE {QuoteIdentifier(db)}", ct);
        if (result.Error is not null)
            throw new InvalidOperationException($"CREATE DATABASE {db} failed: {result.Error}");
    }

    /// <summary>InfluxQL read (SELECT, SHOW) over GET /query, timestamps as epoch milliseconds.</summary>
    public Task<InfluxQlResult> QueryAsync(string db, string influxQl, CancellationToken ct = default) =>
        SendQueryAsync(HttpMethod.Get, db, influxQl, ct);

    /// <summary>InfluxQL statements that change state (CREATE, DROP, DELETE) over POST /query.</summary>
    public Task<InfluxQlResult> ExecuteAsync(string? db, string influxQl, CancellationToken ct = default) =>
        SendQueryAsync(HttpMethod.Post, db, influxQl, ct);

    /// <summary>POST /write of line protocol; throws with InfluxDB's message unless it answers 204.</summary>
    public async Task WriteAsync(string db, string lineProtocol, string precision = "ms", CancellationToken ct = default)
    {
        var uri = new Uri(Url, $"write?db={Uri.EscapeDataString(db)}&precision={Uri.EscapeDataString(precision)}");
        using var content = new StringContent(lineProtocol, Encoding.UTF8, "text/plain");
        using var response = await http.PostAsync(uri, content, ct);
        if (response.StatusCode != HttpStatusCode.NoContent)
            throw new HttpRequestException($"InfluxDB write to {db} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>
    /// Polls a SELECT COUNT(...) query until it reports at least <paramref name="expected"/> or the timeout
    /// passes, and returns the last count seen. A database that does not exist yet counts as 0.
    /// </summary>
    public async Task<long> WaitForCountAsync(string db, string influxQlCountQuery, long expected, TimeSpan timeout, CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var result = await QueryAsync(db, influxQlCountQuery, ct);
            long count = result.Error?.StartsWith("database not found", StringComparison.Ordinal) == true ? 0 : result.Count();
            if (count >= expected || stopwatch.Elapsed >= timeout)
                return count;
            await Task.Delay(pollInterval, ct);
        }
    }

    /// <summary>A double-quoted InfluxQL identifier.</summary>
    public static string QuoteIdentifier(string name) => $"\"{name.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

    protected override string Executable => "influxd";

    protected override IReadOnlyList<string> Arguments => ["run", "-config", ConfigPath];

    protected override void AssignPorts()
    {
        HttpPort = FreePort.Next();
        RpcPort = FreePort.Next();
        Url = new Uri($"http://127.0.0.1:{HttpPort}/");
        string config = File.ReadAllText(RepoPaths.Config("influxdb.conf"))
            .Replace("@INFLUX_DIR@", TempDirectory)
            .Replace("@HTTP_PORT@", HttpPort.ToString())
            .Replace("@RPC_PORT@", RpcPort.ToString());
        File.WriteAllText(ConfigPath, config);
    }

    protected override Task<bool> IsReadyAsync(CancellationToken ct) =>
        AnswersAsync(http, new Uri(Url, "ping"), HttpStatusCode.NoContent, ct);

    protected override ValueTask DisposeResourcesAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }

    async Task<InfluxQlResult> SendQueryAsync(HttpMethod method, string? db, string influxQl, CancellationToken ct)
    {
        var query = new StringBuilder($"query?epoch=ms&q={Uri.EscapeDataString(influxQl)}");
        if (db is not null)
            query.Append($"&db={Uri.EscapeDataString(db)}");
        using var request = new HttpRequestMessage(method, new Uri(Url, query.ToString()));
        using var response = await http.SendAsync(request, ct);
        string body = await response.Content.ReadAsStringAsync(ct);
        // 200 carries per-statement errors, 400 a parse error; both are JSON with an "error".
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.BadRequest))
            throw new HttpRequestException($"InfluxDB query failed: {(int)response.StatusCode} {body}");
        return InfluxQlResult.Parse(body);
    }
}
