using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Telemetry.Pipeline.Influx;

public enum WriteStatus
{
    /// <summary>Every line was stored.</summary>
    Written,
    /// <summary>400: InfluxDB refused some lines (it keeps the others); <see cref="WriteResult.Message"/> says which and why.</summary>
    PartiallyRefused,
    /// <summary>413: the body is above the server's limit; smaller batches will pass.</summary>
    TooLarge,
    /// <summary>Worth retrying: 429, 5xx, network errors, timeouts.</summary>
    Retry,
    /// <summary>Will not succeed until an operator acts: 401/403, missing database or bucket, a 400 about the request itself. Kept and retried slowly.</summary>
    NeedsOperator,
}

public readonly record struct WriteResult(WriteStatus Status, int HttpStatus, string? Message, TimeSpan? RetryAfter);

/// <summary>
/// Writes line protocol to InfluxDB over HTTP: v1 <c>/write</c> or v2 <c>/api/v2/write</c>, precision ms,
/// optionally gzip-compressed. One instance per concurrent writer (it reuses its compression buffer).
/// </summary>
public sealed class InfluxWriter : IDisposable
{
    private readonly HttpClient _http;
    private readonly InfluxOptions _options;
    private readonly Uri _writeUri;
    private readonly AuthenticationHeaderValue? _auth;
    private readonly MemoryStream _compressed = new();

    private InfluxWriter(HttpClient http, InfluxOptions options, InfluxApi api)
    {
        _http = http;
        _options = options;
        Api = api;
        _writeUri = WriteUri(options, api);
        _auth = Authorization(options, api);
    }

    public InfluxApi Api { get; }

    public static HttpClient CreateHttpClient(InfluxOptions options) => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        MaxConnectionsPerServer = options.Writers + 1,
    })
    {
        BaseAddress = options.Url,
        Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
    };

    /// <summary>Resolves <c>auto</c> by asking <c>/ping</c> for the server's version: 1.x → v1, anything else → v2.</summary>
    public static async Task<InfluxApi> ResolveApiAsync(HttpClient http, InfluxOptions options, ILogger logger, CancellationToken ct)
    {
        if (options.Api != InfluxApi.Auto) return options.Api;
        using var response = await http.GetAsync("ping", ct);
        var version = response.Headers.TryGetValues("X-Influxdb-Version", out var values) ? values.FirstOrDefault() : null;
        var api = version is not null && version.StartsWith("1.", StringComparison.Ordinal) ? InfluxApi.V1 : InfluxApi.V2;
        logger.LogInformation("InfluxDB at {Url} reports version {Version}: writing with the {Api} API", options.Url, version ?? "(none)", api);
        return api;
    }

    public static InfluxWriter Create(HttpClient http, InfluxOptions options, InfluxApi api) => new(http, options, api);

    /// <summary>Creates the v1 database or v2 bucket if it is missing (idempotent).</summary>
    public static async Task EnsureDatabaseAsync(HttpClient http, InfluxOptions options, InfluxApi api, ILogger logger, CancellationToken ct)
    {
        if (api == InfluxApi.V1)
        {
            var q = $"CREATE DATABASE \"{options.Database.Replace("\"", "\\\"")}\"";
            using var request = new HttpRequestMessage(HttpMethod.Post, "query") { Content = new FormUrlEncodedContent([new("q", q)]) };
            request.Headers.Authorization = Authorization(options, api);
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode || body.Contains("\"error\"", StringComparison.Ordinal))
                throw new InvalidOperationException($"InfluxDB refused to create database '{options.Database}': {(int)response.StatusCode} {body}");
            logger.LogInformation("InfluxDB database {Database} is ready", options.Database);
            return;
        }

        var auth = Authorization(options, api);
        var existing = await GetJsonAsync(http, $"api/v2/buckets?name={Uri.EscapeDataString(options.Bucket)}&org={Uri.EscapeDataString(options.Org)}", auth, ct);
        if (existing.TryGetProperty("buckets", out var buckets) && buckets.GetArrayLength() > 0) return;
        var orgs = await GetJsonAsync(http, $"api/v2/orgs?org={Uri.EscapeDataString(options.Org)}", auth, ct);
        var orgId = orgs.GetProperty("orgs").EnumerateArray().Select(o => o.GetProperty("id").GetString()).FirstOrDefault()
            ?? throw new InvalidOperationException($"InfluxDB has no organisation '{options.Org}'");
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/v2/buckets")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { orgID = orgId, name = options.Bucket, retentionRules = Array.Empty<object>() }),
                Encoding.UTF8, "application/json"),
        };
        create.Headers.Authorization = auth;
        using var created = await http.SendAsync(create, ct);
        if (!created.IsSuccessStatusCode)
            throw new InvalidOperationException($"InfluxDB refused to create bucket '{options.Bucket}': {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
        logger.LogInformation("InfluxDB bucket {Bucket} created in {Org}", options.Bucket, options.Org);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, AuthenticationHeaderValue? auth, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = auth;
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"InfluxDB {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<WriteResult> WriteAsync(ReadOnlyMemory<byte> lines, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _writeUri);
        request.Headers.Authorization = _auth;
        request.Content = _options.Gzip ? Compress(lines) : new ReadOnlyMemoryContent(lines);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (_options.Gzip) request.Content.Headers.ContentEncoding.Add("gzip");

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            return new WriteResult(WriteStatus.Retry, 0, e.Message, null);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            return new WriteResult(WriteStatus.Retry, 0, $"timed out: {e.Message}", null);
        }

        using (response)
        {
            int code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return new WriteResult(WriteStatus.Written, code, null, null);
            string body = await response.Content.ReadAsStringAsync(ct);
            var retryAfter = response.Headers.RetryAfter?.Delta
                ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
            var status = response.StatusCode switch
            {
                HttpStatusCode.BadRequest when IsAboutLines(body) => WriteStatus.PartiallyRefused,
                HttpStatusCode.RequestEntityTooLarge => WriteStatus.TooLarge,
                HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
                    => WriteStatus.NeedsOperator,
                _ => WriteStatus.Retry,
            };
            return new WriteResult(status, code, body.Length > 2048 ? body[..2048] : body, retryAfter);
        }
    }

    /// <summary>InfluxDB 1.x/2.x word a refusal of particular lines like this; other 400s are about the request.</summary>
    private static bool IsAboutLines(string body) =>
        body.Contains("partial write", StringComparison.OrdinalIgnoreCase) ||
        body.Contains("unable to parse", StringComparison.OrdinalIgnoreCase) ||
        body.Contains("field type conflict", StringComparison.OrdinalIgnoreCase);

    private ByteArrayContent Compress(ReadOnlyMemory<byte> lines)
    {
        _compressed.SetLength(0);
        using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(lines.Span);
        return new ByteArrayContent(_compressed.GetBuffer(), 0, (int)_compressed.Length);
    }

    private static Uri WriteUri(InfluxOptions o, InfluxApi api)
    {
        var query = api == InfluxApi.V1
            ? $"write?db={Uri.EscapeDataString(o.Database)}&precision=ms" + (o.RetentionPolicy.Length > 0 ? $"&rp={Uri.EscapeDataString(o.RetentionPolicy)}" : "")
            : $"api/v2/write?org={Uri.EscapeDataString(o.Org)}&bucket={Uri.EscapeDataString(o.Bucket)}&precision=ms";
        return new Uri(query, UriKind.Relative);
    }

    private static AuthenticationHeaderValue? Authorization(InfluxOptions o, InfluxApi api)
    {
        if (api == InfluxApi.V2 && o.Token.Length > 0) return new AuthenticationHeaderValue("Token", o.Token);
        if (o.Username.Length > 0)
            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.Username}:{o.Password}")));
        return null;
    }

    public void Dispose() => _compressed.Dispose();
}
