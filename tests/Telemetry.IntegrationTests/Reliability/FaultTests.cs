using System.Diagnostics;
using System.Text.Json;
using Telemetry.IntegrationTests.Services;
using Telemetry.Pipeline.Spool;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Reliability;

/// <summary>
/// Nothing lost: real processes killed and restarted mid-stream (gateway, influxd, mosquitto),
/// a full spool, a torn spool, a line InfluxDB refuses. Each test has its own servers.
/// </summary>
[Collection("reliability")]
public sealed class FaultTests(ITestOutputHelper output)
{
    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static (string Topic, string Payload) Sample(long start, int i) =>
        ($"fleet/bkk/emoto/EM-{i % 200:D4}/telemetry",
         $$"""{"ts":{{start + i}},"seq":{{i}},"speed_kmh":{{i % 120}}.5,"soc_pct":{{i % 100}},"batt_v":72.4,"lat":13.75,"lon":100.5}""");

    private async Task<(long Count, long Sum)> CountAsync(InfluxServer influx, string db, long expected, TimeSpan timeout)
    {
        long count = await influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", expected, timeout);
        var rows = (await influx.QueryAsync(db, "SELECT SUM(seq) FROM telemetry")).Rows().ToArray();
        return (count, rows.Length == 0 ? 0 : rows[0]["sum"].GetInt64());
    }

    private static long SumOfSeq(long n) => n * (n - 1) / 2;

    [Fact]
    public async Task Gateway_killed_mid_stream_loses_nothing_and_duplicates_nothing()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "kill9";
        const int total = 100_000;
        await using var gateway = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, db);
        long start = NowMs() - 3_600_000;

        await using var publisher = new ResilientPublisher(mosquitto.Port);
        var stream = publisher.PublishManyAsync(total, i => Sample(start, i));
        await influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", 20_000, TimeSpan.FromSeconds(60));
        gateway.Kill();
        long atKill = (await influx.QueryAsync(db, "SELECT COUNT(seq) FROM telemetry")).Count();
        await Task.Delay(1000);
        await gateway.StartAgainAsync();
        await stream;

        var (count, sum) = await CountAsync(influx, db, total, TimeSpan.FromSeconds(90));
        output.WriteLine($"sent {total}, present {count} (at kill {atKill}), seq sum ok: {sum == SumOfSeq(total)}, peak RSS {gateway.PeakRssMb:F0} MB, publisher retries {publisher.Retries}");
        Assert.Equal(total, count);
        Assert.Equal(SumOfSeq(total), sum);
    }

    [Fact]
    public async Task Influx_down_for_a_minute_spools_and_replays_everything_with_bounded_memory()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "outage";
        const int total = 60_000;
        await using var gateway = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, db);
        long start = NowMs() - 3_600_000;

        await using var publisher = new ResilientPublisher(mosquitto.Port);
        var clock = Stopwatch.StartNew();
        var stream = publisher.PublishManyAsync(total, i => Sample(start, i), pace: TimeSpan.FromMilliseconds(1)); // ~1,000 msg/s for a minute
        await Task.Delay(5000);
        await influx.StopAsync();
        output.WriteLine($"influxd stopped at {clock.Elapsed.TotalSeconds:F0} s");
        await gateway.WaitForLogAsync("points spooled", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(60) - (clock.Elapsed - TimeSpan.FromSeconds(5)));
        long spoolBytes = Directory.EnumerateFiles(gateway.SpoolDirectory, "*.seg").Sum(f => new FileInfo(f).Length);
        await influx.StartAgainAsync();
        output.WriteLine($"influxd back at {clock.Elapsed.TotalSeconds:F0} s; spool then held {spoolBytes / 1024} KiB");
        await stream;

        var (count, sum) = await CountAsync(influx, db, total, TimeSpan.FromSeconds(90));
        output.WriteLine($"sent {total}, present {count}, all in {clock.Elapsed.TotalSeconds:F0} s, peak RSS {gateway.PeakRssMb:F0} MB");
        output.WriteLine(gateway.Log().Split('\n').Last(l => l.Contains("Totals:")));
        Assert.Equal(total, count);
        Assert.Equal(SumOfSeq(total), sum);
        Assert.True(spoolBytes > 0, "the outage should have gone to the spool");
        Assert.True(gateway.PeakRssMb < 300, $"peak RSS {gateway.PeakRssMb:F0} MB");
    }

    [Fact]
    public async Task Broker_restarted_mid_stream_loses_nothing()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "brokerrestart";
        const int total = 50_000;
        await using var gateway = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, db);
        long start = NowMs() - 3_600_000;

        await using var publisher = new ResilientPublisher(mosquitto.Port);
        var stream = publisher.PublishManyAsync(total, i => Sample(start, i), pace: TimeSpan.FromMilliseconds(0.2));
        await influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", 10_000, TimeSpan.FromSeconds(60));
        await mosquitto.StopAsync();
        await Task.Delay(2000);
        await mosquitto.StartAgainAsync();
        await stream;

        var (count, sum) = await CountAsync(influx, db, total, TimeSpan.FromSeconds(90));
        output.WriteLine($"sent {total}, present {count}, publisher retries {publisher.Retries}, peak RSS {gateway.PeakRssMb:F0} MB");
        Assert.Equal(total, count);
        Assert.Equal(SumOfSeq(total), sum);
    }

    [Fact]
    public async Task A_full_spool_stops_reading_loses_nothing_and_recovers()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "spoolfull";
        const int total = 30_000;
        await using var gateway = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, db, new Dictionary<string, string>
        {
            ["Spool__MaxBytes"] = "262144",
            ["Spool__SegmentBytes"] = "65536",
            ["Batching__MaxLines"] = "500",
        });
        long start = NowMs() - 3_600_000;
        await influx.StopAsync();

        await using var publisher = new ResilientPublisher(mosquitto.Port);
        await publisher.PublishManyAsync(total, i => Sample(start, i));
        await gateway.WaitForLogAsync("Spool is full", TimeSpan.FromSeconds(60));
        long spoolBytes = Directory.EnumerateFiles(gateway.SpoolDirectory, "*.seg").Sum(f => new FileInfo(f).Length);
        Assert.True(spoolBytes <= 262144, $"spool holds {spoolBytes} bytes, above its bound");
        await influx.StartAgainAsync();

        var (count, sum) = await CountAsync(influx, db, total, TimeSpan.FromSeconds(90));
        output.WriteLine($"sent {total}, present {count}, spool peak {spoolBytes / 1024} KiB of 256 KiB, peak RSS {gateway.PeakRssMb:F0} MB");
        Assert.Equal(total, count);
        Assert.Equal(SumOfSeq(total), sum);
    }

    [Fact]
    public async Task A_torn_spool_tail_is_cut_at_start_up_and_the_good_part_replays()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "tornspool";
        await influx.CreateDatabaseAsync(db);
        var work = Directory.CreateTempSubdirectory("torn-").FullName;
        var spoolDir = Path.Combine(work, "spool");
        long start = NowMs() - 3_600_000;
        using (var spool = DiskSpool.Open(new SpoolOptions { Directory = spoolDir }, NullLogger.Instance))
        {
            for (int batch = 0; batch < 10; batch++)
            {
                var lines = string.Concat(Enumerable.Range(batch * 100, 100).Select(i =>
                    $"telemetry,kind=emoto,site=bkk,vehicle_id=EM-TORN seq={i}i,speed_kmh=1 {start + i}\n"));
                Assert.True(spool.TryAppend(System.Text.Encoding.UTF8.GetBytes(lines), 100));
            }
        }
        var segment = Directory.EnumerateFiles(spoolDir, "*.seg").Single();
        using (var file = new FileStream(segment, FileMode.Open))
            file.SetLength(file.Length - 700); // a crash in the middle of the last record

        await using var gateway = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, db, new Dictionary<string, string>
        {
            ["Spool__Directory"] = spoolDir,
        });
        var (count, _) = await CountAsync(influx, db, 900, TimeSpan.FromSeconds(30));
        Assert.Equal(900, count);
        Assert.Contains("torn or corrupted", gateway.Log());
        Assert.Single(Directory.EnumerateFiles(spoolDir, "*.corrupt"));
    }

    [Fact]
    public async Task The_one_line_influx_refuses_is_dead_lettered_and_the_other_4999_land()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "refused";
        await influx.CreateDatabaseAsync(db);
        long start = NowMs() - 3_600_000;
        // motor_rpm becomes a string field in this shard: our float motor_rpm now conflicts.
        await influx.WriteAsync(db, $"telemetry,kind=emoto,site=prep,vehicle_id=PREP motor_rpm=\"idle\" {start - 1}");
        await using var gateway = await GatewayProcess.StartAsync(mosquitto.Port, influx.Url, db, new Dictionary<string, string>
        {
            ["Batching__FlushIntervalMs"] = "60000",
            ["Batching__MaxLines"] = "5000",
        });

        await using var publisher = new ResilientPublisher(mosquitto.Port);
        await publisher.PublishManyAsync(5000, i => i == 2500
            ? ("fleet/bkk/emoto/EM-BAD/telemetry", $$"""{"ts":{{start + i}},"seq":{{i}},"motor_rpm":3000}""")
            : Sample(start, i));

        var (count, _) = await CountAsync(influx, db, 4999, TimeSpan.FromSeconds(60));
        await gateway.WaitForLogAsync("refused", TimeSpan.FromSeconds(10));
        Assert.Equal(4999, count);
        string[] lines = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(10); lines.Length == 0 && DateTime.UtcNow < deadline; await Task.Delay(100))
            lines = File.Exists(gateway.DeadLetterPath) ? File.ReadAllLines(gateway.DeadLetterPath) : [];
        var refused = JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal("influx_refused", refused.GetProperty("reason").GetString());
        Assert.Contains("vehicle_id=EM-BAD", refused.GetProperty("payload").GetString());
        Assert.Contains("field type conflict", refused.GetProperty("detail").GetString());
        output.WriteLine(refused.ToString());
    }
}

[CollectionDefinition("reliability")]
public sealed class ReliabilityCollection;
