using System.Text;
using Microsoft.Extensions.Logging;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.DeadLetters;
using Telemetry.Pipeline.Influx;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Pipeline.Batching;

/// <summary>
/// Takes one batch to safety: written to InfluxDB, or its refused lines isolated and dead-lettered,
/// or (after <see cref="SpoolOptions.RetryBudgetMs"/> of failures) appended to the disk spool.
/// Returns only then; until then it retries with exponential backoff and jitter, honouring Retry-After.
/// One instance per writer task.
/// </summary>
internal sealed class BatchDelivery(
    InfluxWriter influx, DiskSpool? spool, DeadLetterFile deadLetters, PipelineCounters counters,
    InfluxOptions options, SpoolOptions spoolOptions, WriteFailureLog failures, TimeProvider time)
{
    /// <param name="allowSpool">false for batches replayed from the spool</param>
    public async Task DeliverAsync(ReadOnlyMemory<byte> lines, int points, bool allowSpool, CancellationToken ct)
    {
        long firstFailure = 0;
        for (int attempt = 0; ; attempt++)
        {
            var result = await influx.WriteAsync(lines, ct);
            switch (result.Status)
            {
                case WriteStatus.Written:
                    counters.BatchWritten(points, lines.Length);
                    if (attempt > 0) failures.Recovered(attempt + 1);
                    return;
                case WriteStatus.PartiallyRefused when result.Refused is { } refused && IsConsistent(lines.Span, refused, out var lineStarts):
                    await DeadLetterListedAsync(lines, result, refused, lineStarts, allowSpool, ct);
                    return;
                case WriteStatus.PartiallyRefused or WriteStatus.TooLarge:
                    await SplitAsync(lines, result, allowSpool, ct);
                    return;
            }

            counters.WriteFailed();
            if (firstFailure == 0) firstFailure = time.GetTimestamp();
            if (allowSpool && spool is not null && result.Status == WriteStatus.Retry &&
                time.GetElapsedTime(firstFailure).TotalMilliseconds >= spoolOptions.RetryBudgetMs)
            {
                if (spool.TryAppend(lines.Span, points))
                {
                    counters.BatchSpooled(points);
                    return;
                }
                failures.SpoolFull(spool.PendingBytes);
            }
            var delay = RetryDelay(attempt, result);
            failures.Failed(result, delay);
            await Task.Delay(delay, time, ct);
        }
    }

    /// <summary>
    /// InfluxDB refused some lines (400) or the body is too big (413): write each half on its own,
    /// down to single lines, so that only the refused lines are dead-lettered, with InfluxDB's reason.
    /// Rewriting lines InfluxDB already kept is harmless: a point is stored once per series and time.
    /// </summary>
    private async Task SplitAsync(ReadOnlyMemory<byte> lines, WriteResult result, bool allowSpool, CancellationToken ct)
    {
        int lineCount = CountLines(lines.Span);
        if (lineCount <= 1)
        {
            failures.Refused(result);
            counters.LinesRefusedByInflux(1);
            deadLetters.Write(time.GetUtcNow(), "", result.Status == WriteStatus.TooLarge ? "influx_too_large" : "influx_refused",
                -1, default, lines.Span.TrimEnd((byte)'\n'), result.Message);
            return;
        }
        int middle = IndexAfterLine(lines.Span, lineCount / 2);
        var first = lines[..middle];
        var second = lines[middle..];
        await DeliverAsync(first, CountLines(first.Span), allowSpool, ct);
        await DeliverAsync(second, CountLines(second.Span), allowSpool, ct);
    }

    /// <summary>
    /// InfluxDB 3 named the lines it refused and stored the others: dead-letter exactly those, with its reason
    /// for each. It lists at most <see cref="PartialWriteAnswer.ListLimit"/>; with a full list, the lines after
    /// the last one listed may hold more refusals, so they are written again (harmless for those it kept).
    /// </summary>
    private async Task DeadLetterListedAsync(ReadOnlyMemory<byte> lines, WriteResult result, IReadOnlyList<RefusedLine> refused,
        int[] lineStarts, bool allowSpool, CancellationToken ct)
    {
        failures.Refused(result);
        int lineCount = lineStarts.Length - 1;
        int lastListed = refused[^1].LineNumber;
        bool listMayBeCut = refused.Count >= PartialWriteAnswer.ListLimit && lastListed < lineCount;
        int covered = listMayBeCut ? lastListed : lineCount;
        foreach (var line in refused)
            deadLetters.Write(time.GetUtcNow(), "", "influx_refused", -1, default, Line(lines.Span, lineStarts, line.LineNumber),
                $"line {line.LineNumber}: {line.Error}");
        counters.LinesRefusedByInflux(refused.Count);
        if (covered > refused.Count) counters.BatchWritten(covered - refused.Count, lineStarts[covered]);
        if (listMayBeCut)
        {
            var rest = lines[lineStarts[covered]..];
            await DeliverAsync(rest, CountLines(rest.Span), allowSpool, ct);
        }
    }

    /// <summary>
    /// The list must fit this batch: line numbers in range, no line twice, and each quoted line the start of the
    /// line it names (InfluxDB may cut a long one). Anything else (a server counting differently) falls back to bisection.
    /// </summary>
    private static bool IsConsistent(ReadOnlySpan<byte> lines, IReadOnlyList<RefusedLine> refused, out int[] lineStarts)
    {
        lineStarts = LineStarts(lines);
        int previous = 0;
        foreach (var line in refused)
        {
            if (line.LineNumber <= previous || line.LineNumber >= lineStarts.Length) return false;
            previous = line.LineNumber;
            if (line.OriginalLine.Length > 0 && !Line(lines, lineStarts, line.LineNumber).StartsWith(Encoding.UTF8.GetBytes(line.OriginalLine)))
                return false;
        }
        return true;
    }

    /// <summary>Where each line starts, and (last) the end of the batch.</summary>
    private static int[] LineStarts(ReadOnlySpan<byte> lines)
    {
        var starts = new int[CountLines(lines) + 1];
        int at = 0;
        for (int i = 1; i < starts.Length; i++)
        {
            int newline = lines[at..].IndexOf((byte)'\n');
            at = newline < 0 ? lines.Length : at + newline + 1;
            starts[i] = at;
        }
        return starts;
    }

    /// <summary>Line <paramref name="lineNumber"/> (1-based) without its newline.</summary>
    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> lines, int[] lineStarts, int lineNumber) =>
        lines[lineStarts[lineNumber - 1]..lineStarts[lineNumber]].TrimEnd((byte)'\n');

    private static int CountLines(ReadOnlySpan<byte> lines) => lines.Count((byte)'\n') + (lines.Length > 0 && lines[^1] != '\n' ? 1 : 0);

    private static int IndexAfterLine(ReadOnlySpan<byte> lines, int lineNumber)
    {
        int at = 0;
        for (int i = 0; i < lineNumber; i++) at += lines[at..].IndexOf((byte)'\n') + 1;
        return at;
    }

    private TimeSpan RetryDelay(int attempt, WriteResult result)
    {
        double backoff = Math.Min(options.MaxRetryDelayMs, options.RetryDelayMs * Math.Pow(2, Math.Min(attempt, 20)));
        double jittered = backoff * (0.5 + Random.Shared.NextDouble() * 0.5);
        if (result.Status == WriteStatus.NeedsOperator) jittered = Math.Max(jittered, Math.Min(5000, options.MaxRetryDelayMs));
        if (result.RetryAfter is { } retryAfter && retryAfter.TotalMilliseconds > jittered)
            jittered = Math.Min(retryAfter.TotalMilliseconds, 300_000);
        return TimeSpan.FromMilliseconds(jittered);
    }
}
