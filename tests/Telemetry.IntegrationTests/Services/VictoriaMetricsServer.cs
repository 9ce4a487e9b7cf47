using System.Diagnostics;
using System.Net;

namespace Telemetry.IntegrationTests.Services;

/// <summary>victoria-metrics on a free port of 127.0.0.1, storage in its temp dir: a real server for the InfluxDB v2 write path.</summary>
public sealed class VictoriaMetricsServer : LocalServer
{
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    VictoriaMetricsServer() : base("victoria-metrics")
    {
    }

    public int Port { get; private set; }

    public Uri Url { get; private set; } = null!;

    public static Task<VictoriaMetricsServer> StartAsync(CancellationToken ct = default) =>
        StartNewAsync(new VictoriaMetricsServer(), ct);

    /// <summary>GET /api/v1/export?match[]=<paramref name="match"/>: one JSON object per line and series.</summary>
    public async Task<string> ExportAsync(string match, CancellationToken ct = default)
    {
        using var response = await http.GetAsync(new Uri(Url, $"api/v1/export?match[]={Uri.EscapeDataString(match)}"), ct);
        string body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"victoria-metrics export of {match} failed: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>
    /// Polls the export until it holds at least <paramref name="minimumSeries"/> series or the timeout passes;
    /// returns the last export. Written data takes 1-2 s to become visible.
    /// </summary>
    public async Task<string> WaitForExportAsync(string match, int minimumSeries, TimeSpan timeout, CancellationToken ct = default)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            using (await http.GetAsync(new Uri(Url, "internal/force_flush"), ct))
            {
            }
            string export = await ExportAsync(match, ct);
            int series = export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            if (series >= minimumSeries || stopwatch.Elapsed >= timeout)
                return export;
            await Task.Delay(100, ct);
        }
    }

    protected override string Executable => "victoria-metrics";

    protected override IReadOnlyList<string> Arguments =>
    [
        $"-storageDataPath={Path.Combine(TempDirectory, "data")}",
        $"-httpListenAddr=127.0.0.1:{Port}",
        // Tests write fixed timestamps from the past; nothing may be out of retention.
        "-retentionPeriod=100y",
    ];

    protected override void AssignPorts()
    {
        Port = FreePort.Next();
        Url = new Uri($"http://127.0.0.1:{Port}/");
    }

    protected override Task<bool> IsReadyAsync(CancellationToken ct) =>
        AnswersAsync(http, new Uri(Url, "health"), HttpStatusCode.OK, ct);

    protected override ValueTask DisposeResourcesAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}
