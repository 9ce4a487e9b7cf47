using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Pipeline.Influx;

namespace Telemetry.Pipeline.Tests.InfluxDb3;

/// <summary>Start-up against InfluxDB 3 (as 3.x Core answers): version detection, database creation, and a wait that always ends.</summary>
public sealed class InfluxStartupTests
{
    private const string Token = "apiv3_startup-token";

    private static InfluxOptions Options(Uri url, string token = Token) => new()
    {
        Url = url, Database = "fleet3", Token = token, StartupTimeoutSeconds = 20, TimeoutSeconds = 5,
    };

    private static async Task<InfluxServerInfo> ConnectAsync(InfluxOptions options, ILogger? logger = null)
    {
        using var http = InfluxWriter.CreateHttpClient(options);
        // A start-up that waited for ever would hang the test run; fail it instead.
        return await InfluxStartup.ConnectAsync(http, options, logger ?? NullLogger.Instance, TimeProvider.System, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));
    }

    [Theory]
    [InlineData("Core")]
    [InlineData("Enterprise")]
    public async Task Auto_recognises_3x_from_ping_and_creates_the_database_through_its_own_api(string build)
    {
        using var server = InfluxDb3Emulator.Start(s => { s.Token = Token; s.Build = build; s.Version = "3.10.2"; });
        var info = await ConnectAsync(Options(server.Url));

        Assert.Equal(new InfluxServerInfo(InfluxApi.V3, "3.10.2", build), info);
        Assert.Contains("fleet3", server.Databases);
        var create = Assert.Single(server.Requests, r => r.Path == "/api/v3/configure/database");
        Assert.Equal("POST", create.Method);
        Assert.Equal($"Bearer {Token}", create.Authorization);
        Assert.DoesNotContain(server.Requests, r => r.Path.StartsWith("/api/v2/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_that_exists_already_is_fine()
    {
        using var server = InfluxDb3Emulator.Start(s => s.Token = Token);
        await ConnectAsync(Options(server.Url));
        await ConnectAsync(Options(server.Url));

        Assert.Equal(2, server.Requests.Count(r => r.Path == "/api/v3/configure/database"));
        Assert.Equal(["fleet3"], server.Databases);
    }

    [Fact]
    public async Task Without_the_configure_api_creation_is_skipped_with_a_message()
    {
        using var server = InfluxDb3Emulator.Start(s => { s.Token = Token; s.HasConfigureDatabase = false; });
        var log = new ListLogger();
        var info = await ConnectAsync(Options(server.Url), log);

        Assert.Equal(InfluxApi.V3, info.Api);
        Assert.Contains(log.Messages, m => m.Contains("has no /api/v3/configure/database") && m.Contains("creates it on the first write"));
    }

    [Fact]
    public async Task Before_3_10_ping_answers_without_a_token()
    {
        using var server = InfluxDb3Emulator.Start(s => { s.Token = Token; s.PingNeedsToken = false; s.Version = "3.4.1"; });
        using var http = new HttpClient { BaseAddress = server.Url };
        var info = await InfluxServerProbe.PingAsync(http, Options(server.Url, token: ""), CancellationToken.None);

        Assert.Equal(InfluxApi.V3, info.Api);
        Assert.Equal("3.4.1", info.Version);
    }

    [Fact]
    public async Task From_3_10_ping_without_a_token_stops_start_up_naming_the_token_key()
    {
        using var server = InfluxDb3Emulator.Start(s => s.Token = Token);
        var error = await Assert.ThrowsAsync<InfluxStartupException>(() => ConnectAsync(Options(server.Url, token: "")));

        Assert.False(error.Retryable);
        Assert.Contains("Influx:Token", error.Message);
        Assert.Single(server.Requests); // at once: no retry can change that
    }

    [Fact]
    public async Task A_token_3x_refuses_for_creating_databases_stops_start_up_naming_the_keys()
    {
        using var server = InfluxDb3Emulator.Start(s => { s.Token = Token; s.ReadOnlyToken = "reader"; });
        var error = await Assert.ThrowsAsync<InfluxStartupException>(() => ConnectAsync(Options(server.Url, token: "reader")));

        Assert.False(error.Retryable);
        Assert.Contains("Influx:Token", error.Message);
        Assert.Contains("Influx:CreateDatabase", error.Message);
    }

    [Fact]
    public async Task The_v2_api_against_3x_does_not_retry_the_bucket_api_for_ever()
    {
        using var server = InfluxDb3Emulator.Start(s => s.Token = Token);
        var options = Options(server.Url);
        options.Api = InfluxApi.V2;
        var error = await Assert.ThrowsAsync<InfluxStartupException>(() => ConnectAsync(options));

        Assert.False(error.Retryable);
        Assert.Contains("/api/v2/buckets", error.Message);
        Assert.Contains("404", error.Message);
        Assert.Contains("Influx:Api", error.Message);
        Assert.Contains("Influx:CreateDatabase", error.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_server_that_never_comes_up_ends_the_wait_naming_the_timeout_key()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var options = Options(new Uri($"http://127.0.0.1:{port}/"));
        options.StartupTimeoutSeconds = 2;
        var error = await Assert.ThrowsAsync<InfluxStartupException>(() => ConnectAsync(options));

        Assert.True(error.Retryable);
        Assert.Contains("Influx:StartupTimeoutSeconds", error.Message);
        Assert.Contains("within 2 s", error.Message);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_ends_the_wait_too()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true) accepted.Add(await silent.AcceptSocketAsync());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        });
        var options = Options(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/"));
        options.StartupTimeoutSeconds = 2;
        options.TimeoutSeconds = 600; // longer than the start-up budget: the budget must still end it

        var error = await Assert.ThrowsAsync<InfluxStartupException>(() => ConnectAsync(options));

        Assert.True(error.Retryable);
        Assert.Contains("Influx:StartupTimeoutSeconds", error.Message);
        silent.Stop();
        foreach (var socket in accepted) socket.Dispose();
    }

    [Fact]
    public async Task A_server_that_fails_a_while_then_answers_is_waited_for()
    {
        using var server = InfluxDb3Emulator.Start(s => s.Token = Token);
        int pings = 0;
        server.Override = r => r.Path == "/ping" && Interlocked.Increment(ref pings) <= 2 ? new InfluxDb3Emulator.Reply(503, "starting") : null;
        var info = await ConnectAsync(Options(server.Url));

        Assert.Equal(InfluxApi.V3, info.Api);
        Assert.Equal(3, server.Requests.Count(r => r.Path == "/ping"));
    }

    [Theory]
    [InlineData("1.6.7~rc0", InfluxApi.V1)]
    [InlineData("1.8.10", InfluxApi.V1)]
    [InlineData("v2.7.11", InfluxApi.V2)]
    [InlineData("3.0.0", InfluxApi.V3)]
    [InlineData("v3.1.0", InfluxApi.V3)]
    [InlineData(null, InfluxApi.V2)]
    public void The_reported_version_picks_the_api(string? version, InfluxApi expected) =>
        Assert.Equal(expected, InfluxServerProbe.ApiFor(version));

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages) Messages.Add(formatter(state, exception));
        }
    }
}
