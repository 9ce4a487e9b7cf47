using System.Text;
using Microsoft.Extensions.Logging;
using Telemetry.Contract;
using Telemetry.Pipeline.Influx;

namespace Telemetry.Pipeline.Quality;

/// <summary>
/// Writes each active vehicle's counts since its previous point as one <c>gateway_quality</c> point,
/// every <see cref="QualityOptions.IntervalSeconds"/> and once more at shutdown. Goes straight to
/// InfluxDB through its own <see cref="InfluxWriter"/>, not through the MQTT ack path: if the write
/// fails the counts stay and are added to the next interval's points.
/// </summary>
public sealed class QualityReporter(QualityTracker tracker, InfluxWriter writer, QualityOptions options, string gatewayTag,
    ILogger<QualityReporter> logger, TimeProvider? time = null)
{
    private const int LinesPerRequest = 5000;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly byte[] _gatewayTag = Encoding.UTF8.GetBytes(EscapeTag(gatewayTag));
    private long _lastFailureLogMs;

    public long PointsWritten { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.IntervalSeconds), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) await ReportAsync(ct);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Writes the counts not yet written; false if InfluxDB did not take them (they are kept for next time).</summary>
    public async Task<bool> ReportAsync(CancellationToken ct)
    {
        long forgetAfter = Math.Max(1, (long)Math.Ceiling(options.ForgetIdleAfter.TotalSeconds / options.IntervalSeconds));
        var due = tracker.Unreported(forgetAfter);
        if (due.Count == 0) return true;
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using var lines = new LineBuffer(Math.Min(due.Count, LinesPerRequest) * 200);
        bool allWritten = true;
        foreach (var chunk in due.Chunk(LinesPerRequest))
        {
            lines.Clear();
            foreach (var (vehicle, counts) in chunk) WriteLine(lines, vehicle, counts, nowMs);
            var result = await writer.WriteAsync(lines.WrittenMemory, ct);
            if (result.Status == WriteStatus.Written)
            {
                tracker.MarkReported(chunk);
                PointsWritten += chunk.Length;
                continue;
            }
            allWritten = false;
            if (result.Status is WriteStatus.PartiallyRefused or WriteStatus.TooLarge)
                tracker.MarkReported(chunk); // InfluxDB will never take these lines: do not resend them forever
            LogFailure(result);
        }
        return allWritten;
    }

    private void WriteLine(LineBuffer lines, VehicleQuality vehicle, in QualityCounts c, long timeMs)
    {
        lines.Write("gateway_quality,gateway="u8);
        lines.Write(_gatewayTag);
        WriteTag(lines, ",kind="u8, vehicle.Kind);
        WriteTag(lines, ",site="u8, vehicle.Site);
        WriteTag(lines, ",vehicle_id="u8, vehicle.VehicleId);
        WriteField(lines, " received="u8, c.Received);
        WriteField(lines, ",written="u8, c.Written);
        WriteField(lines, ",rejected="u8, c.Rejected);
        WriteField(lines, ",fields_dropped="u8, c.FieldsDropped);
        WriteField(lines, ",seq_received="u8, c.SeqReceived);
        WriteField(lines, ",seq_lost="u8, c.SeqLost);
        WriteField(lines, ",seq_duplicates="u8, c.SeqDuplicates);
        WriteField(lines, ",seq_resets="u8, c.SeqResets);
        lines.WriteByte((byte)' ');
        WriteNumber(lines, timeMs);
        lines.WriteByte((byte)'\n');
    }

    private static void WriteTag(LineBuffer lines, ReadOnlySpan<byte> prefix, string value)
    {
        lines.Write(prefix);
        lines.Write(Encoding.UTF8.GetBytes(EscapeTag(value)));
    }

    private static void WriteField(LineBuffer lines, ReadOnlySpan<byte> prefix, long value)
    {
        lines.Write(prefix);
        WriteNumber(lines, value);
        lines.WriteByte((byte)'i');
    }

    private static void WriteNumber(LineBuffer lines, long value)
    {
        var span = lines.GetSpan(20);
        value.TryFormat(span, out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
        lines.Advance(written);
    }

    /// <summary>Tag values from topics are already plain ([a-z0-9-], [A-Za-z0-9_.-]); the gateway tag and kind names come from configuration.</summary>
    private static string EscapeTag(string value) =>
        value.Length == 0 ? "-" : value.Replace("\\", "\\\\").Replace(",", "\\,").Replace("=", "\\=").Replace(" ", "\\ ");

    private void LogFailure(WriteResult result)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (now - _lastFailureLogMs < 60_000) return;
        _lastFailureLogMs = now;
        logger.LogWarning("gateway_quality points not written ({Status}: {Message}); the counts are kept for the next interval",
            result.HttpStatus, result.Message);
    }
}
