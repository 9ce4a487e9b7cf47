using Microsoft.Extensions.Logging;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Logging;

namespace Telemetry.Pipeline.Batching;

/// <summary>Logs write failures, one line per 5 s at most (<see cref="LogThrottle"/>), and keeps the last one for health checks.</summary>
public sealed class WriteFailureLog(ILogger logger, TimeProvider time)
{
    private readonly LogThrottle _throttle = new(TimeSpan.FromSeconds(5), 1, time);
    private volatile string? _lastError;

    /// <summary>The last failure's description while writes are failing; null once a write succeeds.</summary>
    public string? CurrentError => _lastError;

    internal void Failed(WriteResult result, TimeSpan retryIn)
    {
        _lastError = $"{result.HttpStatus} {result.Message}";
        if (!ShouldLog()) return;
        if (result.Status == WriteStatus.NeedsOperator)
            logger.LogError("InfluxDB refuses writes ({Status}: {Message}); data is kept, not acknowledged, and retried every {Delay:F1} s until this is fixed",
                result.HttpStatus, result.Message, retryIn.TotalSeconds);
        else
            logger.LogWarning("InfluxDB write failed ({Status}: {Message}); retrying in {Delay:F1} s", result.HttpStatus, result.Message, retryIn.TotalSeconds);
    }

    internal void Refused(WriteResult result)
    {
        if (ShouldLog())
            logger.LogWarning("InfluxDB refused a line ({Status}: {Message}); it is dead-lettered, the rest of its batch is written",
                result.HttpStatus, result.Message);
    }

    internal void SpoolFull(long spoolBytes)
    {
        if (ShouldLog())
            logger.LogError("Spool is full ({Bytes} bytes) and InfluxDB is unavailable: acknowledgements and reading stop until InfluxDB is back", spoolBytes);
    }

    internal void Recovered(int attempts)
    {
        _lastError = null;
        logger.LogInformation("InfluxDB write succeeded after {Attempts} attempts", attempts);
    }

    private bool ShouldLog() => _throttle.TryTake(out _);
}
