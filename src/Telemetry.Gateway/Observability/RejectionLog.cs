using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Contract.Decoding;
using Telemetry.Gateway.Configuration;
using Telemetry.Pipeline.Counters;

namespace Telemetry.Gateway.Observability;

/// <summary>
/// Logs rejections sampled: at most one line per reason per <see cref="ObservabilityOptions.RejectionLogSeconds"/>,
/// with the count since the previous line and the latest topic. Nothing is logged on the decoding thread;
/// every rejection is counted (metrics) and dead-lettered with its payload.
/// </summary>
internal sealed class RejectionLog(PipelineCounters counters, IOptions<ObservabilityOptions> options, ILogger<RejectionLog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int seconds = options.Value.RejectionLogSeconds;
        if (seconds <= 0) return;
        var reasons = Enum.GetValues<RejectReason>();
        var logged = new long[reasons.Length];
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var reason in reasons)
                {
                    long total = counters.Rejections(reason);
                    long since = total - logged[(int)reason];
                    if (since == 0) continue;
                    logged[(int)reason] = total;
                    logger.Log(reason.IsFieldLevel() ? LogLevel.Information : LogLevel.Warning,
                        "Rejected {Count} as {Reason} in the last {Seconds} s ({Total} since start; latest on {Topic}); payloads are in the dead-letter file",
                        since, reason.Name(), seconds, total, counters.LastRejectedTopic(reason));
                }
            }
        }
        catch (OperationCanceledException) { }
    }
}
