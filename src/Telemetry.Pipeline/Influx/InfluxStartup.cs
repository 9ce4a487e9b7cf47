using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Telemetry.Pipeline.Influx;

/// <summary>Start-up could not reach a usable InfluxDB. The message names the setting to look at.</summary>
/// <param name="retryable">
/// true: the server may still become ready (down, starting, 5xx, or the wait ran out); false: a setting must
/// change first (a refused token, an API the server does not have, a database name it refuses)
/// </param>
public sealed class InfluxStartupException(string message, bool retryable) : Exception(message)
{
    public bool Retryable { get; } = retryable;
}

/// <summary>
/// Start-up's path to InfluxDB: which API to use (<see cref="InfluxServerProbe"/>), then the database or
/// bucket (when <see cref="InfluxOptions.CreateDatabase"/>). Transient failures are retried with backoff for
/// at most <see cref="InfluxOptions.StartupTimeoutSeconds"/>; an answer that no retry will change fails at once.
/// Either way start-up never waits for ever.
/// </summary>
public static class InfluxStartup
{
    private const string S = InfluxOptions.Section;

    public static async Task<InfluxServerInfo> ConnectAsync(HttpClient http, InfluxOptions options, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        var budget = TimeSpan.FromSeconds(options.StartupTimeoutSeconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(budget);
        string lastError = "no answer";
        for (int delayMs = 500; ; delayMs = Math.Min(delayMs * 2, 30_000))
        {
            try
            {
                var server = await ResolveAsync(http, options, logger, deadline.Token);
                if (options.CreateDatabase) await EnsureDatabaseAsync(http, options, server, logger, deadline.Token);
                else logger.LogInformation("{Key} is false: not creating database or bucket", $"{S}:CreateDatabase");
                return server;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (IsTransient(e) && !deadline.IsCancellationRequested)
            {
                lastError = e.Message;
                logger.LogWarning("InfluxDB at {Url} not ready: {Error}; retrying in {Delay} ms (giving up after {Key} = {Timeout} s)",
                    options.Url, lastError, delayMs, $"{S}:StartupTimeoutSeconds", options.StartupTimeoutSeconds);
            }
            catch (Exception e) when (IsTransient(e) || e is OperationCanceledException)
            {
                lastError = e is OperationCanceledException ? lastError : e.Message;
                break;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delayMs), time, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                break;
            }
        }
        throw new InfluxStartupException(
            $"InfluxDB at {options.Url} was not ready within {options.StartupTimeoutSeconds} s ({S}:StartupTimeoutSeconds); last error: {lastError}",
            retryable: true);
    }

    /// <summary>The configured API, or the one /ping points to when it is Auto.</summary>
    public static async Task<InfluxServerInfo> ResolveAsync(HttpClient http, InfluxOptions options, ILogger logger, CancellationToken ct)
    {
        if (options.Api != InfluxApi.Auto)
        {
            logger.LogInformation("InfluxDB at {Url}: writing with the {Api} API ({Key})", options.Url, options.Api, $"{S}:Api");
            return new InfluxServerInfo(options.Api, null, null);
        }
        var server = await InfluxServerProbe.PingAsync(http, options, ct);
        logger.LogInformation("InfluxDB at {Url} reports version {Server}: writing with the {Api} API", options.Url, server, server.Api);
        if (server.Api == InfluxApi.V3 && options.RetentionPolicy.Length > 0)
            logger.LogWarning("{Key} is ignored: InfluxDB 3 has no retention policies", $"{S}:RetentionPolicy");
        return server;
    }

    /// <summary>Creates the v1 or v3 database, or the v2 bucket, if it is missing (idempotent).</summary>
    public static Task EnsureDatabaseAsync(HttpClient http, InfluxOptions options, InfluxServerInfo server, ILogger logger, CancellationToken ct) =>
        server.Api switch
        {
            InfluxApi.V1 => CreateV1DatabaseAsync(http, options, logger, ct),
            InfluxApi.V3 => CreateV3DatabaseAsync(http, options, server, logger, ct),
            _ => CreateV2BucketAsync(http, options, server, logger, ct),
        };

    private static async Task CreateV1DatabaseAsync(HttpClient http, InfluxOptions options, ILogger logger, CancellationToken ct)
    {
        var q = $"CREATE DATABASE \"{options.Database.Replace("\"", "\\\"")}\"";
        using var request = new HttpRequestMessage(HttpMethod.Post, "query") { Content = new FormUrlEncodedContent([new("q", q)]) };
        request.Headers.Authorization = InfluxServerProbe.Authorization(options, InfluxApi.V1);
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode || body.Contains("\"error\"", StringComparison.Ordinal))
            throw Refused($"creating database '{options.Database}' with InfluxQL (POST /query)", response, body,
                $"check {S}:Username/{S}:Password and {S}:Database, or create it yourself and set {S}:CreateDatabase to false");
        logger.LogInformation("InfluxDB database {Database} is ready", options.Database);
    }

    /// <summary>
    /// InfluxDB 3: <c>POST /api/v3/configure/database {"db":…}</c>. 200 created, 409 already there (fine).
    /// A 3.x without that endpoint (404) creates the database on the first write, so creation is skipped.
    /// </summary>
    private static async Task CreateV3DatabaseAsync(HttpClient http, InfluxOptions options, InfluxServerInfo server, ILogger logger, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v3/configure/database")
        {
            Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["db"] = options.Database }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = InfluxServerProbe.Authorization(options, InfluxApi.V3);
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent:
                logger.LogInformation("InfluxDB 3 database {Database} created", options.Database);
                return;
            case HttpStatusCode.Conflict:
                logger.LogInformation("InfluxDB 3 database {Database} is ready (it exists)", options.Database);
                return;
            case HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed:
                logger.LogWarning("InfluxDB {Server} has no /api/v3/configure/database ({Status}): not creating database {Database}; InfluxDB 3 creates it on the first write",
                    server, (int)response.StatusCode, options.Database);
                return;
            case HttpStatusCode.Forbidden:
                throw new InfluxStartupException(
                    $"InfluxDB 3 does not let the token in {S}:Token create database '{options.Database}' (403): give the token that permission, or create the database yourself and set {S}:CreateDatabase to false",
                    retryable: false);
            default:
                throw Refused($"creating InfluxDB 3 database '{options.Database}' (POST /api/v3/configure/database)", response, body,
                    response.StatusCode == HttpStatusCode.Unauthorized ? $"set {S}:Token to a token InfluxDB 3 accepts" : $"check {S}:Database");
        }
    }

    private static async Task CreateV2BucketAsync(HttpClient http, InfluxOptions options, InfluxServerInfo server, ILogger logger, CancellationToken ct)
    {
        var auth = InfluxServerProbe.Authorization(options, InfluxApi.V2);
        string hint = server.Version is null
            ? $"is this InfluxDB 2.x? Set {S}:Api to match the server, or {S}:CreateDatabase to false if the bucket exists"
            : $"the server reports version {server}; set {S}:Api to match it, or {S}:CreateDatabase to false if the bucket exists";
        var existing = await GetJsonAsync(http, $"api/v2/buckets?name={Uri.EscapeDataString(options.Bucket)}&org={Uri.EscapeDataString(options.Org)}", auth, hint, ct);
        if (existing.TryGetProperty("buckets", out var buckets) && buckets.GetArrayLength() > 0) return;
        var orgs = await GetJsonAsync(http, $"api/v2/orgs?org={Uri.EscapeDataString(options.Org)}", auth, hint, ct);
        var orgId = orgs.TryGetProperty("orgs", out var list)
            ? list.EnumerateArray().Select(o => o.GetProperty("id").GetString()).FirstOrDefault()
            : null;
        if (orgId is null) throw new InfluxStartupException($"InfluxDB has no organisation '{options.Org}' ({S}:Org)", retryable: false);
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/v2/buckets")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { orgID = orgId, name = options.Bucket, retentionRules = Array.Empty<object>() }),
                Encoding.UTF8, "application/json"),
        };
        create.Headers.Authorization = auth;
        using var created = await http.SendAsync(create, ct);
        if (!created.IsSuccessStatusCode)
            throw Refused($"creating bucket '{options.Bucket}' ({S}:Bucket)", created, await created.Content.ReadAsStringAsync(ct), hint);
        logger.LogInformation("InfluxDB bucket {Bucket} created in {Org}", options.Bucket, options.Org);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, AuthenticationHeaderValue? auth, string hint, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = auth;
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw Refused($"GET /{path[..path.IndexOf('?')]}", response, body,
                response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? $"check {S}:Token" : hint);
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new InfluxStartupException($"GET /{path[..path.IndexOf('?')]} did not answer JSON ({InfluxServerProbe.Shorten(body)}): {hint}", retryable: false);
        }
    }

    /// <summary>5xx and 429 may pass; any other refusal needs a setting changed.</summary>
    private static InfluxStartupException Refused(string what, HttpResponseMessage response, string body, string hint)
    {
        int code = (int)response.StatusCode;
        bool retryable = code >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests;
        return new InfluxStartupException($"{what}: InfluxDB answered {code} {InfluxServerProbe.Shorten(body)}{(retryable ? "" : "; " + hint)}", retryable);
    }

    private static bool IsTransient(Exception e) =>
        e is HttpRequestException or TaskCanceledException or InfluxStartupException { Retryable: true };

}
