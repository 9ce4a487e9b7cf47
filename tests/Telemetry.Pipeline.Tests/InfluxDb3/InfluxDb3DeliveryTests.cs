using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.DeadLetters;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Pipeline.Tests.InfluxDb3;

/// <summary>How a batch reaches safety through InfluxDB 3's /api/v3/write_lp, against a server answering as 3.x Core documents.</summary>
public sealed class InfluxDb3DeliveryTests : IDisposable
{
    private const string Token = "apiv3_test-admin-token";
    private readonly string _dir = Directory.CreateTempSubdirectory("delivery-v3-test-").FullName;
    private readonly PipelineCounters _counters = new();
    private readonly InfluxDb3Emulator _server;

    public InfluxDb3DeliveryTests() => _server = InfluxDb3Emulator.Start(s => s.Token = Token);

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private InfluxOptions Options(string token = Token) => new()
    {
        Url = _server.Url, Api = InfluxApi.V3, Database = "fleet", Token = token, RetryDelayMs = 10, MaxRetryDelayMs = 40, Gzip = true,
    };

    private sealed record Setup(BatchDelivery Delivery, DeadLetterFile DeadLetters, DiskSpool Spool, HttpClient Http) : IDisposable
    {
        public void Dispose()
        {
            DeadLetters.Dispose();
            Spool.Dispose();
            Http.Dispose();
        }
    }

    private Setup Create(InfluxOptions options, int retryBudgetMs = 60_000)
    {
        var http = InfluxWriter.CreateHttpClient(options);
        var writer = InfluxWriter.Create(http, options, InfluxApi.V3);
        var deadLetters = new DeadLetterFile(new DeadLetterOptions { Directory = Path.Combine(_dir, "dlq") });
        var spoolOptions = new SpoolOptions { Directory = Path.Combine(_dir, "spool"), RetryBudgetMs = retryBudgetMs, SegmentBytes = 64 * 1024 };
        var spool = DiskSpool.Open(spoolOptions, NullLogger.Instance);
        var delivery = new BatchDelivery(writer, spool, deadLetters, _counters, options, spoolOptions,
            new WriteFailureLog(NullLogger.Instance, TimeProvider.System), TimeProvider.System);
        return new Setup(delivery, deadLetters, spool, http);
    }

    private static readonly long BaseMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;

    /// <summary>Lines i of m,t=x f=i; the lines in <paramref name="bad"/> write f as a string (a type conflict once f is a float).</summary>
    private static ReadOnlyMemory<byte> Lines(int count, params int[] bad) => Encoding.UTF8.GetBytes(string.Concat(
        Enumerable.Range(0, count).Select(i => bad.Contains(i) ? $"m,t=x f=\"oops {i}\" {BaseMs + i}\n" : $"m,t=x f={i}.5 {BaseMs + i}\n")));

    private string[] DeadLetterLines(DeadLetterFile file)
    {
        file.Flush();
        if (!File.Exists(file.CurrentPath)) return [];
        using var stream = new FileStream(file.CurrentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private InfluxDb3Emulator.Request[] Writes() => _server.Requests.Where(r => r.Path == "/api/v3/write_lp").ToArray();

    [Fact]
    public async Task Writes_to_write_lp_with_millisecond_precision_partial_writes_on_wal_sync_and_a_bearer_token()
    {
        using (var setup = Create(Options()))
            await setup.Delivery.DeliverAsync(Lines(3), 3, allowSpool: true, CancellationToken.None);

        var request = Assert.Single(Writes());
        Assert.Equal("POST", request.Method);
        Assert.Equal("fleet", request.Query["db"]);
        Assert.Equal("millisecond", request.Query["precision"]);
        Assert.Equal("true", request.Query["accept_partial"]);
        Assert.Equal("false", request.Query["no_sync"]);
        Assert.Equal($"Bearer {Token}", request.Authorization);
        Assert.Equal("gzip", request.ContentEncoding);
        var rows = _server.Rows("fleet", "m").OrderBy(r => r.TimeNs).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal((BaseMs + 2) * 1_000_000, rows[2].TimeNs);
        Assert.Equal(2.5, rows[2].Fields["f"]);
        Assert.Equal(3, _counters.PointsWritten);
    }

    [Fact]
    public async Task The_short_precision_name_is_refused_by_3x_which_is_why_millisecond_is_sent()
    {
        using var http = new HttpClient { BaseAddress = _server.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v3/write_lp?db=fleet&precision=ms") { Content = new StringContent("m f=1 1") };
        request.Headers.Authorization = new("Bearer", Token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown variant `ms`", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Only_the_lines_the_partial_write_answer_lists_are_dead_lettered_in_one_request()
    {
        using var setup = Create(Options());
        await setup.Delivery.DeliverAsync(Lines(1), 1, allowSpool: true, CancellationToken.None); // f is a float from now on
        await setup.Delivery.DeliverAsync(Lines(5000, 17, 2500, 4999), 5000, allowSpool: true, CancellationToken.None);

        Assert.Equal(2, Writes().Length);
        var letters = DeadLetterLines(setup.DeadLetters).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(new[] { 17, 2500, 4999 }.Select(i => $"m,t=x f=\"oops {i}\" {BaseMs + i}"), letters.Select(l => l.GetProperty("payload").GetString()));
        Assert.All(letters, l => Assert.Equal("influx_refused", l.GetProperty("reason").GetString()));
        Assert.Contains("line 18: invalid column type for column 'f', expected iox::column_type::field::float, got iox::column_type::field::string",
            letters[0].GetProperty("detail").GetString());
        Assert.Equal(4997, _server.Rows("fleet", "m").Count);
        Assert.Equal(1 + 4997, _counters.PointsWritten);
        Assert.Equal(3, _counters.LinesRefused);
    }

    [Fact]
    public async Task More_refusals_than_the_answer_lists_are_found_by_writing_the_rest_again()
    {
        var bad = Enumerable.Range(0, 1000).Where(i => i % 4 == 1).ToArray(); // 250 refusals; an answer lists 100
        using var setup = Create(Options());
        await setup.Delivery.DeliverAsync(Lines(1), 1, allowSpool: true, CancellationToken.None);
        await setup.Delivery.DeliverAsync(Lines(1000, bad), 1000, allowSpool: true, CancellationToken.None);

        var refused = DeadLetterLines(setup.DeadLetters).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("payload").GetString()!).ToArray();
        Assert.Equal(bad.Length, refused.Length);
        Assert.Equal(bad.Length, refused.Distinct().Count());
        Assert.Equal(750, _server.Rows("fleet", "m").Count);
        Assert.Equal(1 + 3, Writes().Length); // 250 refusals, 100 per answer
        Assert.Equal(250, _counters.LinesRefused);
    }

    [Fact]
    public async Task A_quoted_line_cut_short_by_the_server_still_names_its_line()
    {
        _server.Options.OriginalLineMaxChars = 12;
        using var setup = Create(Options());
        await setup.Delivery.DeliverAsync(Lines(1), 1, allowSpool: true, CancellationToken.None);
        await setup.Delivery.DeliverAsync(Lines(200, 150), 200, allowSpool: true, CancellationToken.None);

        var letter = JsonDocument.Parse(Assert.Single(DeadLetterLines(setup.DeadLetters))).RootElement;
        Assert.Equal($"m,t=x f=\"oops 150\" {BaseMs + 150}", letter.GetProperty("payload").GetString());
        Assert.Equal(2, Writes().Length);
    }

    [Fact]
    public async Task A_list_that_does_not_fit_the_batch_falls_back_to_bisection()
    {
        bool lied = false;
        _server.Override = request =>
        {
            if (request.Path != "/api/v3/write_lp" || request.Body.Count(c => c == '\n') < 64 || lied) return null;
            lied = true;
            return new InfluxDb3Emulator.Reply(400,
                """{"error":"partial write of line protocol occurred","data":[{"original_line":"other,t=y v=1 5","line_number":3,"error_message":"made up"}]}""");
        };
        using var setup = Create(Options());
        await setup.Delivery.DeliverAsync(Lines(1), 1, allowSpool: true, CancellationToken.None);
        await setup.Delivery.DeliverAsync(Lines(64, 40), 64, allowSpool: true, CancellationToken.None);

        var letter = JsonDocument.Parse(Assert.Single(DeadLetterLines(setup.DeadLetters))).RootElement;
        Assert.StartsWith("m,t=x f=\"oops 40\"", letter.GetProperty("payload").GetString());
        Assert.Contains("invalid column type", letter.GetProperty("detail").GetString());
        Assert.Equal(63, _server.Rows("fleet", "m").Count(r => r.Fields["f"] is double));
    }

    [Fact]
    public async Task A_body_above_the_request_limit_is_a_500_that_splits_the_batch()
    {
        _server.Options.MaxRequestBytes = 4096;
        var options = Options();
        options.Gzip = false;
        using (var setup = Create(options))
            await setup.Delivery.DeliverAsync(Lines(1000), 1000, allowSpool: true, CancellationToken.None);

        Assert.Contains(Writes(), r => r.Body.Length > 4096);
        Assert.Equal(1000, _server.Rows("fleet", "m").Count);
        Assert.Equal(1000, _counters.PointsWritten);
        Assert.Equal(0, _counters.PointsSpooled);
    }

    [Fact]
    public async Task A_503_is_retried_after_its_Retry_After()
    {
        int answered = 0;
        _server.Override = request => request.Path == "/api/v3/write_lp" && Interlocked.Increment(ref answered) == 1
            ? new InfluxDb3Emulator.Reply(503, "", new Dictionary<string, string> { ["Retry-After"] = "1" })
            : null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var setup = Create(Options()))
            await setup.Delivery.DeliverAsync(Lines(2), 2, allowSpool: true, CancellationToken.None);

        Assert.Equal(2, Writes().Length);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.ElapsedMilliseconds} ms, before Retry-After");
        Assert.Equal(2, _server.Rows("fleet", "m").Count);
        Assert.Equal(1, _counters.WriteFailures);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    public async Task Overload_and_server_errors_are_retried_until_written(int status)
    {
        int answered = 0;
        _server.Override = request => request.Path == "/api/v3/write_lp" && Interlocked.Increment(ref answered) <= 2
            ? new InfluxDb3Emulator.Reply(status, "this service is overloaded, please try again later")
            : null;
        using (var setup = Create(Options()))
            await setup.Delivery.DeliverAsync(Lines(5), 5, allowSpool: true, CancellationToken.None);

        Assert.Equal(3, Writes().Length);
        Assert.Equal(5, _server.Rows("fleet", "m").Count);
    }

    [Theory]
    [InlineData("wrong-token", HttpStatusCode.Unauthorized)]
    [InlineData("read-only", HttpStatusCode.Forbidden)]
    public async Task A_refused_token_keeps_the_batch_unspooled_for_an_operator(string token, HttpStatusCode expected)
    {
        _server.Options.ReadOnlyToken = "read-only";
        using var setup = Create(Options(token), retryBudgetMs: 0);
        using var cts = new CancellationTokenSource();
        var delivery = setup.Delivery.DeliverAsync(Lines(3), 3, allowSpool: true, cts.Token);
        // Refused, then tried again: the batch is held for an operator, neither spooled nor dropped.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Writes().Length < 2 && !delivery.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.False(delivery.IsCompleted, "the delivery gave up on a refused token instead of holding the batch");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivery);

        Assert.True(Writes().Length >= 2, $"{Writes().Length} write attempts");
        Assert.Equal(0, setup.Spool.PendingRecords);
        Assert.Empty(_server.Rows("fleet", "m"));
        using var http = new HttpClient { BaseAddress = _server.Url };
        using var probe = new HttpRequestMessage(HttpMethod.Post, "api/v3/write_lp?db=fleet") { Content = new StringContent("m f=1") };
        probe.Headers.Authorization = new("Bearer", token);
        Assert.Equal(expected, (await http.SendAsync(probe)).StatusCode);
    }
}
