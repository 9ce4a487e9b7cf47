using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.DeadLetters;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Pipeline.Tests;

/// <summary>How one batch reaches safety for each kind of InfluxDB answer (an HTTP stub plays InfluxDB).</summary>
public sealed class BatchDeliveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("delivery-test-").FullName;
    private readonly PipelineCounters _counters = new();
    private readonly ScriptedInflux _server = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly InfluxOptions Influx = new()
    {
        Url = new Uri("http://influx.test:8086"), Database = "fleet", RetryDelayMs = 10, MaxRetryDelayMs = 40, Gzip = true,
    };

    private (BatchDelivery Delivery, DeadLetterFile DeadLetters, DiskSpool Spool) Create(int retryBudgetMs = 60_000, long spoolBytes = 1 << 20)
    {
        var http = new HttpClient(_server) { BaseAddress = Influx.Url };
        var writer = InfluxWriter.Create(http, Influx, InfluxApi.V1);
        var deadLetters = new DeadLetterFile(new DeadLetterOptions { Directory = Path.Combine(_dir, "dlq") });
        var spoolOptions = new SpoolOptions { Directory = Path.Combine(_dir, "spool"), RetryBudgetMs = retryBudgetMs, MaxBytes = spoolBytes, SegmentBytes = 64 * 1024 };
        var spool = DiskSpool.Open(spoolOptions, NullLogger.Instance);
        var delivery = new BatchDelivery(writer, spool, deadLetters, _counters, Influx, spoolOptions,
            new WriteFailureLog(NullLogger.Instance, TimeProvider.System), TimeProvider.System);
        return (delivery, deadLetters, spool);
    }

    private static ReadOnlyMemory<byte> Lines(int count, int bad = -1) => Encoding.UTF8.GetBytes(string.Concat(
        Enumerable.Range(0, count).Select(i => i == bad ? $"m,t=x bad=\"oops\" {i}\n" : $"m,t=x f={i} {i}\n")));

    private string[] DeadLetterLines(DeadLetterFile file)
    {
        file.Flush();
        using var stream = new FileStream(file.CurrentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task Writes_to_the_v1_endpoint_with_gzip_and_ms_precision()
    {
        var (delivery, dlq, spool) = Create();
        using (dlq) using (spool)
            await delivery.DeliverAsync(Lines(3), 3, allowSpool: true, CancellationToken.None);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/write?db=fleet&precision=ms", request.PathAndQuery);
        Assert.Equal(Encoding.UTF8.GetString(Lines(3).Span), request.Body);
        Assert.Equal(3, _counters.PointsWritten);
    }

    [Fact]
    public async Task Retries_429_after_the_Retry_After_delay()
    {
        _server.Script(ScriptedInflux.Status(HttpStatusCode.TooManyRequests, retryAfterSeconds: 1));
        var (delivery, dlq, spool) = Create();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (dlq) using (spool)
            await delivery.DeliverAsync(Lines(2), 2, allowSpool: true, CancellationToken.None);
        Assert.Equal(2, _server.Requests.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.ElapsedMilliseconds} ms, before Retry-After");
        Assert.Equal(1, _counters.WriteFailures);
        Assert.Equal(2, _counters.PointsWritten);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task Retries_server_errors_until_written(HttpStatusCode status)
    {
        _server.Script(ScriptedInflux.Status(status), ScriptedInflux.Status(status), ScriptedInflux.Status(status));
        var (delivery, dlq, spool) = Create();
        using (dlq) using (spool)
            await delivery.DeliverAsync(Lines(5), 5, allowSpool: true, CancellationToken.None);
        Assert.Equal(4, _server.Requests.Count);
        Assert.Equal(5, _counters.PointsWritten);
        Assert.Equal(0, _counters.PointsSpooled);
    }

    [Fact]
    public async Task A_413_splits_the_batch_until_the_parts_pass()
    {
        _server.Respond = request => request.Body.Count(c => c == '\n') > 2 ? ScriptedInflux.Status(HttpStatusCode.RequestEntityTooLarge) : ScriptedInflux.Status(HttpStatusCode.NoContent);
        var (delivery, dlq, spool) = Create();
        using (dlq) using (spool)
            await delivery.DeliverAsync(Lines(10), 10, allowSpool: true, CancellationToken.None);
        var written = _server.Requests.Where(r => r.Body.Count(c => c == '\n') <= 2).SelectMany(r => r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Encoding.UTF8.GetString(Lines(10).Span).Split('\n', StringSplitOptions.RemoveEmptyEntries), written);
        Assert.Equal(10, _counters.PointsWritten);
    }

    [Fact]
    public async Task A_partial_write_is_bisected_and_only_the_refused_line_dead_lettered()
    {
        const string reason = "partial write: field type conflict: input field \"bad\" on measurement \"m\" is type string, already exists as type float dropped=1";
        _server.Respond = request => request.Body.Contains("bad=") ? ScriptedInflux.Status(HttpStatusCode.BadRequest, body: $"{{\"error\":\"{reason.Replace("\"", "\\\"")}\"}}") : ScriptedInflux.Status(HttpStatusCode.NoContent);
        var (delivery, dlq, spool) = Create();
        using (spool)
        {
            await delivery.DeliverAsync(Lines(5000, bad: 2500), 5000, allowSpool: true, CancellationToken.None);
            var letter = System.Text.Json.JsonDocument.Parse(Assert.Single(DeadLetterLines(dlq))).RootElement;
            Assert.Equal("influx_refused", letter.GetProperty("reason").GetString());
            Assert.Equal("m,t=x bad=\"oops\" 2500", letter.GetProperty("payload").GetString());
            Assert.Contains("field type conflict", letter.GetProperty("detail").GetString());
            dlq.Dispose();
        }
        Assert.Equal(4999, _counters.PointsWritten);
        Assert.Equal(1, _counters.LinesRefused);
        Assert.True(_server.Requests.Count < 40, $"{_server.Requests.Count} requests to isolate one line");
    }

    [Fact]
    public async Task Unavailable_past_the_retry_budget_goes_to_the_spool()
    {
        _server.Respond = _ => throw new HttpRequestException("connection refused");
        var (delivery, dlq, spool) = Create(retryBudgetMs: 100);
        using (dlq) using (spool)
        {
            await delivery.DeliverAsync(Lines(7), 7, allowSpool: true, CancellationToken.None);
            Assert.Equal(1, spool.PendingRecords);
        }
        Assert.Equal(7, _counters.PointsSpooled);
        Assert.Equal(0, _counters.PointsWritten);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "{\"error\":\"authorization failed\"}")]
    [InlineData(HttpStatusCode.NotFound, "{\"error\":\"database not found: \\\"fleet\\\"\"}")]
    [InlineData(HttpStatusCode.BadRequest, "{\"error\":\"database name required\"}")]
    public async Task Errors_an_operator_must_fix_are_not_spooled_and_keep_the_batch(HttpStatusCode status, string body)
    {
        _server.Respond = _ => ScriptedInflux.Status(status, body: body);
        var (delivery, dlq, spool) = Create(retryBudgetMs: 0);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        using (dlq) using (spool)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery.DeliverAsync(Lines(3), 3, allowSpool: true, cts.Token));
            Assert.Equal(0, spool.PendingRecords);
        }
        Assert.Equal(0, _counters.PointsWritten);
        Assert.Equal(0, _counters.LinesRefused);
    }

    [Fact]
    public async Task With_the_spool_full_it_keeps_retrying_instead_of_dropping()
    {
        _server.Respond = _ => ScriptedInflux.Status(HttpStatusCode.ServiceUnavailable);
        var (delivery, dlq, spool) = Create(retryBudgetMs: 0, spoolBytes: 100);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        using (dlq) using (spool)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery.DeliverAsync(Lines(50), 50, allowSpool: true, cts.Token));
            Assert.Equal(0, spool.PendingRecords);
        }
        Assert.True(_server.Requests.Count > 2);
    }

    /// <summary>Plays InfluxDB's HTTP side: answers from a script, then 204; records each request with its decompressed body.</summary>
    private sealed class ScriptedInflux : HttpMessageHandler
    {
        private readonly Queue<HttpResponseMessage> _script = new();
        public readonly List<(string PathAndQuery, string Body)> Requests = [];
        public Func<(string PathAndQuery, string Body), HttpResponseMessage>? Respond;

        public void Script(params HttpResponseMessage[] responses)
        {
            foreach (var response in responses) _script.Enqueue(response);
        }

        public static HttpResponseMessage Status(HttpStatusCode status, int? retryAfterSeconds = null, string body = "")
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
            if (retryAfterSeconds is { } seconds) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
            return response;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var raw = await request.Content!.ReadAsByteArrayAsync(ct);
            string body = request.Content.Headers.ContentEncoding.Contains("gzip")
                ? new StreamReader(new GZipStream(new MemoryStream(raw), CompressionMode.Decompress)).ReadToEnd()
                : Encoding.UTF8.GetString(raw);
            var entry = (request.RequestUri!.PathAndQuery, body);
            lock (Requests) Requests.Add(entry);
            if (Respond is not null) return Respond(entry);
            return _script.TryDequeue(out var next) ? next : Status(HttpStatusCode.NoContent);
        }
    }
}
