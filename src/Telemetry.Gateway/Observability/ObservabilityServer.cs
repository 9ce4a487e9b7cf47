using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Configuration;

namespace Telemetry.Gateway.Observability;

/// <summary>
/// The HTTP endpoint on <see cref="ObservabilityOptions.ListenUrl"/>: <c>/metrics</c> (Prometheus text),
/// <c>/healthz</c> (the process answers) and <c>/readyz</c> (JSON, 503 when a check fails).
/// <see cref="HttpListener"/> is enough for a few requests a second and needs no ASP.NET Core runtime.
/// </summary>
internal sealed class ObservabilityServer(IOptions<ObservabilityOptions> options, GatewayMetrics metrics, ReadinessCheck readiness,
    ILogger<ObservabilityServer> logger) : BackgroundService
{
    private const int StartAttempts = 5;
    private HttpListener? _listener;
    private PrometheusExporter? _exporter;

    /// <summary>
    /// Binds before the host reports started. A taken port is logged as an error and the gateway runs on
    /// without the endpoint: moving data matters more than reporting on it (a probe of /healthz notices).
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.ListenUrl;
        if (url.Length == 0) return Task.CompletedTask;
        _exporter = new PrometheusExporter(metrics.Meter);
        for (int attempt = 1; ; attempt++)
        {
            _listener = new HttpListener();
            _listener.Prefixes.Add(Prefix(new Uri(url)));
            try
            {
                _listener.Start();
                break;
            }
            catch (ArgumentNullException) when (attempt < StartAttempts)
            {
                // The managed HttpListener's own race (dotnet/corefx#35191, still in .NET 10): a connection accepted while
                // Start is binding (a scrape or a probe of a just-restarted gateway) reaches a lock not yet created. The
                // half-made listener keeps its bound socket until collected: collect it, then bind again.
                logger.LogWarning("{Key} {Url}: HttpListener failed while a request arrived during start-up; binding again",
                    $"{ObservabilityOptions.Section}:ListenUrl", url);
                _listener = null;
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            catch (Exception e) when (e is HttpListenerException or ArgumentNullException)
            {
                logger.LogError("{Key} {Url} cannot be bound ({Error}): no /metrics, /healthz or /readyz; change the address or free the port",
                    $"{ObservabilityOptions.Section}:ListenUrl", url, e.Message);
                _listener = null;
                return Task.CompletedTask;
            }
        }
        logger.LogInformation("Metrics and health on {Url} (/metrics, /healthz, /readyz)", url);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>HttpListener matches requests by host name; a wildcard address must be written as +.</summary>
    private static string Prefix(Uri url)
    {
        string host = url.Host is "0.0.0.0" or "[::]" or "::" or "*" ? "+" : url.Host;
        return $"http://{host}:{url.Port}/";
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _listener!;
        using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                break;
            }
            _ = AnswerAsync(context, stoppingToken);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken ct)
    {
        var response = context.Response;
        try
        {
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/metrics":
                    await WriteAsync(response, 200, "text/plain; version=0.0.4; charset=utf-8", Encoding.UTF8.GetBytes(_exporter!.Scrape()), ct);
                    break;
                case "/healthz":
                    await WriteAsync(response, 200, "application/json", """{"status":"alive"}"""u8.ToArray(), ct);
                    break;
                case "/readyz":
                    var (ready, checks) = await readiness.CheckAsync(ct);
                    await WriteAsync(response, ready ? 200 : 503, "application/json", ReadinessCheck.ToJson(ready, checks), ct);
                    break;
                default:
                    await WriteAsync(response, 404, "text/plain", "not found: try /metrics, /healthz or /readyz\n"u8.ToArray(), ct);
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            logger.LogDebug("Observability request not answered: {Error}", e.Message);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Observability request {Path} failed", context.Request.Url?.AbsolutePath);
            try { response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, string contentType, byte[] body, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body, ct);
        response.Close();
    }

    public override void Dispose()
    {
        _exporter?.Dispose();
        try
        {
            (_listener as IDisposable)?.Dispose();
        }
        catch (HttpListenerException)
        {
            // Once stopped, the managed HttpListener's Close binds the port again to remove its prefix and
            // throws if another process holds it by then; the listener is closed either way.
        }
        base.Dispose();
    }
}
