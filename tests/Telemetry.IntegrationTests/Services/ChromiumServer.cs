using System.Net;
using System.Text.Json;

namespace Telemetry.IntegrationTests.Services;

/// <summary>
/// Debian's headless Chromium with the DevTools protocol on a free port of 127.0.0.1, its profile in its
/// temp dir. As root Chromium refuses to start without <c>--no-sandbox</c>, so it gets it only then.
/// </summary>
public sealed class ChromiumServer : LocalServer
{
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    ChromiumServer() : base("chromium")
    {
    }

    public int DevToolsPort { get; private set; }

    public static Task<ChromiumServer> StartAsync(CancellationToken ct = default) => StartNewAsync(new ChromiumServer(), ct);

    protected override string Executable => "chromium";

    protected override IReadOnlyList<string> Arguments
    {
        get
        {
            var arguments = new List<string>
            {
                "--headless", "--disable-gpu", "--hide-scrollbars", "--mute-audio", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync", "--disable-component-update",
                "--remote-debugging-address=127.0.0.1", $"--remote-debugging-port={DevToolsPort}",
                $"--user-data-dir={Path.Combine(TempDirectory, "profile")}", "--window-size=1000,1400",
            };
            if (Environment.UserName == "root")
                arguments.Add("--no-sandbox");
            arguments.Add("about:blank");
            return arguments;
        }
    }

    protected override void AssignPorts() => DevToolsPort = FreePort.Next();

    protected override Task<bool> IsReadyAsync(CancellationToken ct) =>
        AnswersAsync(http, new Uri($"http://127.0.0.1:{DevToolsPort}/json/version"), HttpStatusCode.OK, ct);

    /// <summary>A DevTools session on the browser's first page (the about:blank it started with).</summary>
    public async Task<DevToolsPage> OpenPageAsync(CancellationToken ct = default)
    {
        using var targets = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{DevToolsPort}/json/list", ct));
        var page = targets.RootElement.EnumerateArray().FirstOrDefault(t => t.GetProperty("type").GetString() == "page");
        if (page.ValueKind == JsonValueKind.Undefined)
            throw new InvalidOperationException($"Chromium has no page target: {targets.RootElement}\n{LogTail()}");
        return await DevToolsPage.ConnectAsync(new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!), ct);
    }

    protected override ValueTask DisposeResourcesAsync()
    {
        http.Dispose();
        return ValueTask.CompletedTask;
    }
}
