using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Telemetry.Pipeline.Influx;

public enum WriteStatus
{
    /// <summary>Every line was stored.</summary>
    Written,
    /// <summary>
    /// 400 (or 422): InfluxDB refused some lines and keeps the others. InfluxDB 3 lists them
    /// (<see cref="WriteResult.Refused"/>); 1.x and 2.x only say why in <see cref="WriteResult.Message"/>.
    /// </summary>
    PartiallyRefused,
    /// <summary>413 (InfluxDB 3: a 500 "max request size … exceeded"): the body is above the server's limit; smaller batches will pass.</summary>
    TooLarge,
    /// <summary>Worth retrying: 429, 5xx, network errors, timeouts.</summary>
    Retry,
    /// <summary>Will not succeed until an operator acts: 401/403, missing database or bucket, a 400 about the request itself. Kept and retried slowly.</summary>
    NeedsOperator,
}

/// <param name="Refused">the refused lines when the server named them (InfluxDB 3), in line order; else null</param>
public readonly record struct WriteResult(WriteStatus Status, int HttpStatus, string? Message, TimeSpan? RetryAfter,
    IReadOnlyList<RefusedLine>? Refused = null);

/// <summary>
/// Writes line protocol to InfluxDB over HTTP: v1 <c>/write</c>, v2 <c>/api/v2/write</c> or v3
/// <c>/api/v3/write_lp</c>, precision ms, optionally gzip-compressed. One instance per concurrent writer
/// (it reuses its compression buffer).
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
        _writeUri = WriteUri(options, api);
        _auth = InfluxServerProbe.Authorization(options, api);
    }

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

    public static InfluxWriter Create(HttpClient http, InfluxOptions options, InfluxApi api) =>
        api == InfluxApi.Auto ? throw new ArgumentException("resolve Auto first (InfluxStartup.ResolveAsync)", nameof(api)) : new(http, options, api);

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
            var refused = response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity ? PartialWriteAnswer.TryParse(body) : null;
            var status = response.StatusCode switch
            {
                _ when refused is not null => WriteStatus.PartiallyRefused,
                HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity when IsAboutLines(body) => WriteStatus.PartiallyRefused,
                HttpStatusCode.RequestEntityTooLarge => WriteStatus.TooLarge,
                // InfluxDB 3 answers a body above --max-http-request-size (10 MiB by default) with 500, not 413.
                HttpStatusCode.InternalServerError when body.Contains("max request size", StringComparison.Ordinal) => WriteStatus.TooLarge,
                HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
                    or HttpStatusCode.UnprocessableEntity => WriteStatus.NeedsOperator,
                _ => WriteStatus.Retry,
            };
            return new WriteResult(status, code, body.Length > 2048 ? body[..2048] : body, retryAfter, refused);
        }
    }

    /// <summary>
    /// InfluxDB 1.x/2.x word a refusal of particular lines like this (2.x answers some with 422); other 400s are
    /// about the request. InfluxDB 3 with accept_partial=false refuses a whole batch for one line ("parsing failed").
    /// </summary>
    private static bool IsAboutLines(string body) =>
        body.Contains("partial write", StringComparison.OrdinalIgnoreCase) ||
        body.Contains("parsing failed for write_lp", StringComparison.OrdinalIgnoreCase) ||
        body.Contains("unable to parse", StringComparison.OrdinalIgnoreCase) ||
        body.Contains("field type conflict", StringComparison.OrdinalIgnoreCase);

    private ByteArrayContent Compress(ReadOnlyMemory<byte> lines)
    {
        _compressed.SetLength(0);
        using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(lines.Span);
        return new ByteArrayContent(_compressed.GetBuffer(), 0, (int)_compressed.Length);
    }

    private static Uri WriteUri(InfluxOptions o, InfluxApi api) => new(api switch
    {
        InfluxApi.V1 => $"write?db={Uri.EscapeDataString(o.Database)}&precision=ms" + (o.RetentionPolicy.Length > 0 ? $"&rp={Uri.EscapeDataString(o.RetentionPolicy)}" : ""),
        // 3.x takes precision's long names only (ms is a 400); no_sync=false: answered once the write-ahead log has it.
        InfluxApi.V3 => $"api/v3/write_lp?db={Uri.EscapeDataString(o.Database)}&precision=millisecond&accept_partial=true&no_sync=false",
        _ => $"api/v2/write?org={Uri.EscapeDataString(o.Org)}&bucket={Uri.EscapeDataString(o.Bucket)}&precision=ms",
    }, UriKind.Relative);

    public void Dispose() => _compressed.Dispose();
}
