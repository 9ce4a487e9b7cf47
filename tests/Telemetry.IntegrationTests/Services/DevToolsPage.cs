using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Telemetry.IntegrationTests.Services;

/// <summary>
/// One browser page driven over the Chrome DevTools protocol (JSON over a WebSocket): commands with their
/// replies, and the page's console errors, uncaught exceptions, error log entries and network requests,
/// recorded from the moment of connecting.
/// </summary>
public sealed class DevToolsPage : IAsyncDisposable
{
    static readonly TimeSpan commandTimeout = TimeSpan.FromSeconds(60);

    readonly ClientWebSocket socket;
    readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> replies = new();
    readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> nextEvents = new();
    readonly ConcurrentQueue<string> errors = new();
    readonly ConcurrentQueue<string> requestedUrls = new();
    readonly CancellationTokenSource stop = new();
    readonly Task receiving;
    int lastId;

    DevToolsPage(ClientWebSocket socket)
    {
        this.socket = socket;
        receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>Console errors and assertions, uncaught exceptions and error log entries, as text.</summary>
    public IReadOnlyCollection<string> Errors => errors;

    /// <summary>Every URL the page requested (the document itself included).</summary>
    public IReadOnlyCollection<string> RequestedUrls => requestedUrls;

    public static async Task<DevToolsPage> ConnectAsync(Uri webSocketUrl, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(webSocketUrl, ct);
        var page = new DevToolsPage(socket);
        foreach (string domain in (string[])["Runtime", "Log", "Page", "Network"])
            await page.SendAsync($"{domain}.enable", null, ct);
        return page;
    }

    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters, CancellationToken ct)
    {
        int id = Interlocked.Increment(ref lastId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        replies[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, ct);
        return await reply.Task.WaitAsync(commandTimeout, ct);
    }

    /// <summary>Opens <paramref name="url"/> and returns once its load event has fired.</summary>
    public async Task NavigateAsync(Uri url, CancellationToken ct)
    {
        var loaded = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        nextEvents["Page.loadEventFired"] = loaded;
        var reply = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.AbsoluteUri }, ct);
        if (reply.TryGetProperty("errorText", out var error))
            throw new InvalidOperationException($"Chromium could not open {url}: {error.GetString()}");
        await loaded.Task.WaitAsync(commandTimeout, ct);
    }

    /// <summary>Evaluates a JavaScript expression that returns a string (e.g. JSON.stringify(…)) and returns it.</summary>
    public async Task<string> EvaluateAsync(string expression, CancellationToken ct)
    {
        var reply = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, ct);
        if (reply.TryGetProperty("exceptionDetails", out var exception))
            throw new InvalidOperationException($"The expression threw: {exception}");
        return reply.GetProperty("result").GetProperty("value").GetString()!;
    }

    /// <summary>A PNG of the whole page (beyond the window), or of <paramref name="clip"/> (CSS pixels of the page).</summary>
    public async Task SaveScreenshotAsync(string path, (double X, double Y, double Width, double Height)? clip, CancellationToken ct)
    {
        if (clip is null)
        {
            var metrics = await SendAsync("Page.getLayoutMetrics", null, ct);
            var size = metrics.GetProperty("cssContentSize");
            clip = (0, 0, size.GetProperty("width").GetDouble(), size.GetProperty("height").GetDouble());
        }
        var area = clip.Value;
        var reply = await SendAsync("Page.captureScreenshot", new JsonObject
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject { ["x"] = area.X, ["y"] = area.Y, ["width"] = area.Width, ["height"] = area.Height, ["scale"] = 1 },
        }, ct);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(reply.GetProperty("data").GetString()!), ct);
    }

    async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                    continue;
                Dispatch(message.ToArray());
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var reply in replies.Values)
            reply.TrySetException(new InvalidOperationException("The DevTools connection closed."));
    }

    void Dispatch(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.TryGetProperty("id", out var id))
        {
            if (!replies.TryRemove(id.GetInt32(), out var reply))
                return;
            if (root.TryGetProperty("error", out var error))
                reply.TrySetException(new InvalidOperationException($"DevTools error: {error}"));
            else
                reply.TrySetResult(root.GetProperty("result").Clone());
            return;
        }
        string method = root.GetProperty("method").GetString()!;
        var parameters = root.GetProperty("params");
        Record(method, parameters);
        if (nextEvents.TryRemove(method, out var waiter))
            waiter.TrySetResult(parameters.Clone());
    }

    void Record(string method, JsonElement parameters)
    {
        switch (method)
        {
            case "Runtime.consoleAPICalled" when parameters.GetProperty("type").GetString() is "error" or "assert":
                errors.Enqueue($"console.{parameters.GetProperty("type").GetString()}: "
                    + string.Join(" ", parameters.GetProperty("args").EnumerateArray().Select(a => a.TryGetProperty("value", out var v) ? v.ToString() : a.ToString())));
                break;
            case "Runtime.exceptionThrown":
                errors.Enqueue($"uncaught exception: {parameters.GetProperty("exceptionDetails")}");
                break;
            case "Log.entryAdded" when parameters.GetProperty("entry").GetProperty("level").GetString() == "error":
                errors.Enqueue($"log: {parameters.GetProperty("entry").GetProperty("text").GetString()}");
                break;
            case "Network.requestWillBeSent":
                requestedUrls.Enqueue(parameters.GetProperty("request").GetProperty("url").GetString()!);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException)
        {
        }
        await receiving;
        socket.Dispose();
        stop.Dispose();
    }
}
