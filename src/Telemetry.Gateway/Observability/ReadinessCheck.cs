using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Sources;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.Influx;

namespace Telemetry.Gateway.Observability;

/// <summary>
/// What <c>/readyz</c> answers: the message source is up (MQTT connected, or the embedded broker
/// listening), InfluxDB is reachable and the last write did not fail, and the spool is not full.
/// </summary>
internal sealed class ReadinessCheck : IDisposable
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(5);
    private readonly IngestPipeline _pipeline;
    private readonly IMessageSource _source;
    private readonly HttpClient _probe;
    private readonly SemaphoreSlim _probing = new(1, 1);
    private CheckResult _lastProbe = new(false, "not probed yet");
    private DateTime _lastProbeAt = DateTime.MinValue;

    public ReadinessCheck(IngestPipeline pipeline, IMessageSource source, IOptions<InfluxOptions> influx)
    {
        _pipeline = pipeline;
        _source = source;
        _probe = new HttpClient { BaseAddress = influx.Value.Url, Timeout = TimeSpan.FromSeconds(2) };
        // InfluxDB 3.10 and later answer /ping without the token with 401.
        _probe.DefaultRequestHeaders.Authorization = InfluxServerProbe.PingAuthorization(influx.Value);
    }

    public async Task<(bool Ready, IReadOnlyDictionary<string, CheckResult> Checks)> CheckAsync(CancellationToken ct)
    {
        var checks = new Dictionary<string, CheckResult>
        {
            [_source.Name] = Source(),
            ["influx"] = await InfluxAsync(ct),
            ["spool"] = Spool(),
        };
        return (checks.Values.All(c => c.Ok), checks);
    }

    private CheckResult Source()
    {
        var state = _source.State;
        return new(state.Ready, state.Detail);
    }

    private async Task<CheckResult> InfluxAsync(CancellationToken ct)
    {
        if (!_pipeline.IsRunning) return new(false, "start-up is waiting for InfluxDB");
        if (_pipeline.Failures.CurrentError is { } error) return new(false, $"writes failing: {error}");
        return await ProbeAsync(ct);
    }

    /// <summary>A write error shows only while there is data; an idle gateway learns that InfluxDB is gone from /ping.</summary>
    private async Task<CheckResult> ProbeAsync(CancellationToken ct)
    {
        await _probing.WaitAsync(ct);
        try
        {
            if (DateTime.UtcNow - _lastProbeAt < ProbeEvery) return _lastProbe;
            try
            {
                using var response = await _probe.GetAsync("ping", ct);
                _lastProbe = response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK
                    ? new(true, "reachable, last write ok")
                    : new(false, $"/ping answered {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                _lastProbe = new(false, $"unreachable: {e.Message}");
            }
            _lastProbeAt = DateTime.UtcNow;
            return _lastProbe;
        }
        finally
        {
            _probing.Release();
        }
    }

    private CheckResult Spool()
    {
        if (_pipeline.Spool is not { } spool) return new(true, "disabled");
        long bytes = spool.PendingBytes;
        return spool.IsFull
            ? new(false, $"full: {bytes} of {spool.MaxBytes} bytes; acknowledgements and reading stop until InfluxDB takes the backlog")
            : new(true, $"{bytes} of {spool.MaxBytes} bytes");
    }

    public static byte[] ToJson(bool ready, IReadOnlyDictionary<string, CheckResult> checks)
    {
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("status", ready ? "ready" : "not_ready");
            json.WriteStartObject("checks");
            foreach (var (name, check) in checks)
            {
                json.WriteStartObject(name);
                json.WriteBoolean("ok", check.Ok);
                json.WriteString("detail", check.Detail);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return body.ToArray();
    }

    public void Dispose()
    {
        _probe.Dispose();
        _probing.Dispose();
    }
}
