using Telemetry.Contract;
using Telemetry.Pipeline.Influx;
using Telemetry.Study.Derived;
using Telemetry.Study.Tables;

namespace Telemetry.Study.WriteBack;

/// <summary>
/// Writes a study's rows into the database it read (<c>--write-back</c>) with the pipeline's
/// <see cref="InfluxWriter"/>, in batches of <c>Study:WriteBatchLines</c>. Idempotent: each row is one point
/// keyed by its series and start time, and InfluxDB keeps one point per series and time.
/// </summary>
public sealed class DerivedWriter(InfluxWriter writer, int batchLines)
{
    public long PointsWritten { get; private set; }
    /// <summary>Rows with no field to write (a swap seen only as an event that carried nothing).</summary>
    public long RowsSkipped { get; private set; }

    public async Task WriteAsync(StudyResult result, CancellationToken ct)
    {
        await WriteAsync(DerivedTables.Trips, result.Trips, ct);
        await WriteAsync(DerivedTables.ChargeSessions, result.ChargeSessions, ct);
        await WriteAsync(DerivedTables.Swaps, result.Swaps, ct);
        await WriteAsync(DerivedTables.Refuels, result.Refuels, ct);
        await WriteAsync(DerivedTables.VehicleDays, result.VehicleDays, ct);
    }

    private async Task WriteAsync<T>(DerivedTable<T> table, IReadOnlyList<T> rows, CancellationToken ct)
    {
        using var buffer = new LineBuffer();
        int lines = 0;
        foreach (var row in rows)
        {
            if (!DerivedLines.Append(table, row, buffer))
            {
                RowsSkipped++;
                continue;
            }
            if (++lines == batchLines)
            {
                await SendAsync(table, buffer, lines, ct);
                buffer.Clear();
                lines = 0;
            }
        }
        if (lines > 0) await SendAsync(table, buffer, lines, ct);
    }

    private async Task SendAsync<T>(DerivedTable<T> table, LineBuffer buffer, int lines, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            var result = await writer.WriteAsync(buffer.WrittenMemory, ct);
            if (result.Status == WriteStatus.Written)
            {
                PointsWritten += lines;
                return;
            }
            if (result.Status != WriteStatus.Retry || attempt == 5)
                throw new InvalidOperationException($"InfluxDB refused the write-back of {table.Measurement}: {result.HttpStatus} {result.Message}");
            await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt * attempt), ct);
        }
    }
}
