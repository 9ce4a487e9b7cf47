using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Pipeline.Influx;
using Telemetry.Study.Derivation;
using Telemetry.Study.Derived;
using Telemetry.Study.Influx;
using Telemetry.Study.Tables;
using Telemetry.Study.WriteBack;

namespace Telemetry.Study.Run;

/// <summary>A problem the operator must fix (InfluxDB unreachable, no such database, nothing to start an incremental run from): exit 1.</summary>
public sealed class StudyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One study run: reads InfluxDB window by window (events, then telemetry, all vehicles of the filter grouped by
/// series), feeds each vehicle's <see cref="VehicleDeriver"/> in time order, then writes back and exports.
/// Memory is the vehicles' state and the derived rows, never the raw range.
/// </summary>
public static class StudyRunner
{
    public static async Task<StudyResult> RunAsync(StudyArguments args, InfluxOptions influx, StudySettings settings, TextWriter log, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        string zoneId = args.TimeZone ?? settings.TimeZone;
        var zone = LocalDays.TryFindZone(zoneId) ?? throw new StudyException($"--tz '{zoneId}' is not a known time zone (an IANA name such as Asia/Bangkok)");
        var days = new LocalDays(zone);
        if (influx.Url is null) throw new StudyException("Influx:Url is not set");

        using var http = InfluxWriter.CreateHttpClient(influx);
        InfluxApi api;
        try
        {
            api = (await InfluxStartup.ResolveAsync(http, influx, NullLogger.Instance, ct)).Api;
        }
        catch (InfluxStartupException e)
        {
            throw new StudyException(e.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new StudyException($"InfluxDB at {influx.Url} is unreachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new StudyException($"InfluxDB at {influx.Url} did not answer within {influx.TimeoutSeconds} s", e);
        }
        // /query's database: 1.x and 3.x name it Database; 2.x maps a bucket's name to it (DBRP).
        string database = api == InfluxApi.V2 ? influx.Bucket : influx.Database;
        var client = new InfluxQlClient(http, database, api == InfluxApi.V1 ? influx.RetentionPolicy : "", InfluxServerProbe.Authorization(influx, api));
        await Guard(influx, () => client.QueryAsync("SHOW MEASUREMENTS LIMIT 1", ct));

        var (from, to) = args.Incremental ? await IncrementalRangeAsync(args, client, days, influx, ct) : (args.From!.Value, args.To!.Value);
        var result = new StudyResult { From = from, To = to, TimeZone = zone.Id };
        if (to <= from)
        {
            log.WriteLine($"study: nothing to derive ({from:yyyy-MM-dd} is today or later)");
            return result;
        }
        long fromMs = days.StartMs(from), toMs = days.StartMs(to);
        long marginMs = (long)(settings.MarginHours * 3_600_000), windowMs = Math.Max(1, (long)(settings.QueryWindowHours * 3_600_000));
        log.WriteLine($"study: {from:yyyy-MM-dd} to {to:yyyy-MM-dd} (exclusive, {zone.Id}) from '{database}' at {influx.Url}" +
            (args.Site is null ? "" : $", site {args.Site}") + (args.Kind is null ? "" : $", kind {args.Kind}"));

        var feeds = new Dictionary<VehicleKey, VehicleFeed>();
        VehicleFeed FeedFor(VehicleKey key)
        {
            if (!feeds.TryGetValue(key, out var feed)) feeds[key] = feed = new VehicleFeed(new VehicleDeriver(key, settings, days));
            return feed;
        }
        var telemetry = new TelemetryRows(key => FeedFor(key).Sample);
        for (long w = fromMs - marginMs; w < toMs + marginMs; w += windowMs)
        {
            long wEnd = Math.Min(w + windowMs, toMs + marginMs);
            var events = new EventRows();
            await Guard(influx, () => client.StreamAsync(StudyQueries.Events(w, wEnd, args.Site, args.Kind), settings.QueryChunkSize, events, ct));
            foreach (var (key, list) in events.ByVehicle) FeedFor(key).SetEvents(list);
            await Guard(influx, () => client.StreamAsync(StudyQueries.Telemetry(w, wEnd, args.Site, args.Kind), settings.QueryChunkSize, telemetry, ct));
            foreach (var feed in feeds.Values) feed.EndWindow();
        }
        foreach (var (_, feed) in feeds.OrderBy(f => f.Key.Site, StringComparer.Ordinal).ThenBy(f => f.Key.Kind, StringComparer.Ordinal).ThenBy(f => f.Key.VehicleId, StringComparer.Ordinal))
            feed.Deriver.Finish(fromMs, toMs, result);
        result.PointsRead = telemetry.Rows;
        result.QueryWaitSeconds = client.WaitTime.TotalSeconds;

        if (args.WriteBack)
        {
            using var influxWriter = InfluxWriter.Create(http, influx, api);
            var writer = new DerivedWriter(influxWriter, settings.WriteBatchLines);
            try
            {
                await writer.WriteAsync(result, ct);
            }
            catch (HttpRequestException e)
            {
                throw new StudyException($"InfluxDB at {influx.Url} is unreachable: {e.Message}", e);
            }
            catch (InvalidOperationException e)
            {
                throw new StudyException(e.Message, e);
            }
            result.PointsWritten = writer.PointsWritten;
        }
        result.WallSeconds = wall.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>Writes the five tables as CSV and Parquet into <paramref name="directory"/>; returns the paths.</summary>
    public static async Task<IReadOnlyList<string>> ExportAsync(StudyResult result, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        async Task Export<T>(DerivedTable<T> table, List<T> rows)
        {
            string csv = Path.Combine(directory, table.Measurement + ".csv"), parquet = Path.Combine(directory, table.Measurement + ".parquet");
            CsvExport.Write(table, rows, csv);
            await ParquetExport.WriteAsync(table, rows, parquet, ct);
            paths.Add(csv);
            paths.Add(parquet);
        }
        await Export(DerivedTables.Trips, result.Trips);
        await Export(DerivedTables.ChargeSessions, result.ChargeSessions);
        await Export(DerivedTables.Swaps, result.Swaps);
        await Export(DerivedTables.Refuels, result.Refuels);
        await Export(DerivedTables.VehicleDays, result.VehicleDays);
        return paths;
    }

    /// <summary>From the last local day held in <c>vehicle_days</c> (derived again: its data may have been late) to today, exclusive.</summary>
    private static async Task<(DateOnly From, DateOnly To)> IncrementalRangeAsync(StudyArguments args, InfluxQlClient client, LocalDays days, InfluxOptions influx, CancellationToken ct)
    {
        string where = StudyQueries.TagFilter(args.Site, args.Kind);
        var answer = await Guard(influx, () => client.QueryAsync(
            "SELECT last(\"samples\") FROM \"vehicle_days\"" + (where.Length > 0 ? " WHERE" + where[4..] : ""), ct));
        long? lastMs = null;
        foreach (var statement in answer.GetProperty("results").EnumerateArray())
            if (statement.TryGetProperty("series", out var series))
                foreach (var s in series.EnumerateArray())
                    foreach (var row in s.GetProperty("values").EnumerateArray())
                        lastMs = Math.Max(lastMs ?? long.MinValue, row[0].GetInt64());
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, days.Zone));
        var to = args.To ?? today;
        if (lastMs is { } ms) return (days.DateOf(ms), to);
        if (args.From is { } from) return (from, to);
        throw new StudyException($"--incremental: '{client.Database}' has no vehicle_days yet; give --from for the first run");
    }

    private static async Task Guard(InfluxOptions influx, Func<Task> query) => await Guard(influx, async () => { await query(); return 0; });

    private static async Task<T> Guard<T>(InfluxOptions influx, Func<Task<T>> query)
    {
        try
        {
            return await query();
        }
        catch (HttpRequestException e)
        {
            throw new StudyException($"InfluxDB at {influx.Url} is unreachable: {e.Message}", e);
        }
        catch (InfluxQueryException e)
        {
            throw new StudyException(e.Message, e);
        }
        catch (JsonException e)
        {
            throw new StudyException($"InfluxDB at {influx.Url} sent an answer that is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>One vehicle's deriver and the events of the current window, merged into it in time order.</summary>
    private sealed class VehicleFeed(VehicleDeriver deriver)
    {
        private List<StudyEvent> _events = [];
        private int _next;

        public VehicleDeriver Deriver => deriver;

        public void SetEvents(List<StudyEvent> events)
        {
            _events = events;
            _next = 0;
        }

        public void Sample(Sample s)
        {
            while (_next < _events.Count && _events[_next].TimeMs <= s.TimeMs) deriver.Add(_events[_next++]);
            deriver.Add(s);
        }

        public void EndWindow()
        {
            while (_next < _events.Count) deriver.Add(_events[_next++]);
            _events = [];
            _next = 0;
        }
    }
}
