using System.Globalization;
using System.Text;
using Telemetry.Gateway.Study;
using Telemetry.IntegrationTests.Services;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Study;

/// <summary>
/// <c>telemetry-gateway study</c> against a real influxd: a small known fleet written as line protocol, the
/// derived rows read back from the exports and from InfluxDB after <c>--write-back</c>, re-runs over
/// overlapping ranges that add no point, the incremental run, and the answers to bad input.
/// </summary>
[Collection("services")]
public sealed class StudyCommandTests(ServicesFixture services, ITestOutputHelper output)
{
    /// <summary>2026-11-25 08:00 in Bangkok.</summary>
    static readonly long Morning = new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    /// <summary>2026-11-25 23:55 in Bangkok.</summary>
    static readonly long BeforeMidnight = new DateTimeOffset(2026, 11, 25, 16, 55, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Derives_the_known_rows_writes_them_back_once_and_continues_incrementally()
    {
        string db = InfluxServer.NewDatabaseName("study");
        await services.Influx.CreateDatabaseAsync(db);
        await services.Influx.WriteAsync(db, KnownFleet());
        string dir = NewDirectory();

        var (code, text) = await StudyAsync(db, "--from", "2026-11-25", "--to", "2026-11-26", "--out", dir);
        Assert.True(code == 0, text);
        var tables = StudyExports.Read(dir);

        // EM-1: 10 min at 36 km/h, then 10 min standing on the charger with a new pack (telemetry and event).
        var trip = Assert.Single(tables.Trips, t => t.VehicleId == "EM-1");
        Assert.Equal(Morning, trip.TimeMs);
        Assert.Equal(599, trip.Number("duration_s"));
        Assert.Equal(5.99, trip.Number("distance_km")!.Value, 6);
        Assert.Equal(72 * 20 * 599 / 3.6e6, trip.Number("energy_kwh")!.Value, 6);
        Assert.Equal(600, trip.Number("samples"));
        var charge = Assert.Single(tables.ChargeSessions);
        Assert.Equal(599, charge.Number("duration_s"));
        var swap = Assert.Single(tables.Swaps);
        Assert.Equal(("BP-2", "BP-1", "SW-BKK-031"), (swap.Text("battery_in"), swap.Text("battery_out"), swap.Text("station_id")));

        // EM-2: a 20-minute trip from 23:55 belongs to the 25th, whole, although the range ends at midnight.
        var late = Assert.Single(tables.Trips, t => t.VehicleId == "EM-2");
        Assert.Equal(BeforeMidnight, late.TimeMs);
        Assert.Equal(1199, late.Number("duration_s"));

        // FL-1: hydrogen used on a trip, then 0.5 kg refuelled standing.
        var forkliftTrip = Assert.Single(tables.Trips, t => t.VehicleId == "FL-1");
        Assert.Equal(0.3, forkliftTrip.Number("h2_kg")!.Value, 6);
        var refuel = Assert.Single(tables.Refuels);
        Assert.Equal(0.5, refuel.Number("h2_kg")!.Value, 6);

        // One seq of EM-1 was lost: 1199 of 1200.
        var day = Assert.Single(tables.VehicleDays, d => d.VehicleId == "EM-1");
        Assert.Equal("2026-11-25", day.Text("date"));
        Assert.Equal(1200, day.Number("seq_expected"));
        Assert.Equal(100.0 * 1199 / 1200, day.Number("completeness_pct")!.Value, 6);
        Assert.Equal(1, day.Number("swaps"));
        Assert.True(File.Exists(Path.Combine(dir, "trips.parquet")));
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));

        // Write-back, then again over the same and over an overlapping range: no point more.
        (code, text) = await StudyAsync(db, "--from", "2026-11-25", "--to", "2026-11-26", "--out", NewDirectory(), "--write-back");
        Assert.True(code == 0, text);
        var first = await CountsAsync(db);
        Assert.Equal((3, 1, 1, 1, 3), first);
        (code, text) = await StudyAsync(db, "--from", "2026-11-24", "--to", "2026-11-26", "--out", NewDirectory(), "--write-back");
        Assert.True(code == 0, text);
        (code, text) = await StudyAsync(db, "--from", "2026-11-25", "--to", "2026-11-26", "--out", NewDirectory(), "--write-back");
        Assert.True(code == 0, text);
        Assert.Equal(first, await CountsAsync(db));

        var written = (await services.Influx.QueryAsync(db, "SELECT * FROM trips WHERE vehicle_id = 'EM-1'")).Rows().Single();
        Assert.Equal(Morning, written["time"].GetInt64());
        Assert.Equal(Morning + 599_000, written["end_ms"].GetInt64());
        Assert.Equal(5.99, written["distance_km"].GetDouble(), 6);
        Assert.Equal("emoto", written["kind"].GetString());
        var writtenSwap = (await services.Influx.QueryAsync(db, "SELECT * FROM swaps")).Rows().Single();
        Assert.Equal("SW-BKK-031", writtenSwap["station_id"].GetString());

        // Incremental: from the last day in vehicle_days (the 25th, derived again) to --to; EM-2's 26th is new.
        (code, text) = await StudyAsync(db, "--incremental", "--to", "2026-11-27", "--out", NewDirectory());
        Assert.True(code == 0, text);
        Assert.Contains("2026-11-25 to 2026-11-27", text);
        var after = await CountsAsync(db);
        Assert.Equal(first with { Item5 = 4 }, after);
    }

    [Fact]
    public async Task A_range_without_data_says_so_and_exits_0()
    {
        string db = InfluxServer.NewDatabaseName("studyempty");
        await services.Influx.CreateDatabaseAsync(db);
        string dir = NewDirectory();
        var (code, text) = await StudyAsync(db, "--from", "2026-10-01", "--to", "2026-10-08", "--out", dir);
        Assert.True(code == 0, text);
        Assert.Contains("no telemetry from 2026-10-01 to 2026-10-08", text);
        Assert.Empty(StudyExports.Read(dir).Trips);
    }

    [Fact]
    public async Task A_missing_database_or_an_unreachable_server_is_named_and_exits_1()
    {
        var (code, text) = await StudyAsync("no_such_db", "--from", "2026-11-25", "--to", "2026-11-26", "--out", NewDirectory());
        Assert.Equal(1, code);
        Assert.Contains("no database 'no_such_db'", text);

        string closed = $"http://127.0.0.1:{FreePort.Next()}/";
        (code, text) = await StudyAsync("fleet", ["--from", "2026-11-25", "--to", "2026-11-26", "--out", NewDirectory()], closed);
        Assert.Equal(1, code);
        Assert.Contains($"InfluxDB at {closed} is unreachable", text);
    }

    [Theory]
    [InlineData("--from", "2026-11-25", "--to", "2026-11-26")]                       // no --out
    [InlineData("--from", "2026-11-25", "--to", "2026-11-25", "--out", "x")]         // empty range (--to is exclusive)
    [InlineData("--from", "25/11/2026", "--to", "2026-11-26", "--out", "x")]
    [InlineData("--from", "2026-11-25", "--to", "2026-11-26", "--out", "x", "--frobnicate")]
    [InlineData("--from", "2026-11-25", "--to", "2026-11-26", "--out", "x", "--tz", "Mars/Olympus")]
    public async Task Nonsense_flags_get_the_usage_and_exit_2(params string[] args)
    {
        var (code, text) = await StudyAsync("fleet", args);
        Assert.Equal(2, code);
        Assert.Contains(args.Contains("--tz") ? "--tz 'Mars/Olympus' is not a known time zone" : "usage: telemetry-gateway study", text);
    }

    async Task<(int Code, string Text)> StudyAsync(string db, params string[] args) => await StudyAsync(db, args, null);

    async Task<(int Code, string Text)> StudyAsync(string db, string[] args, string? url)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await StudyCommand.RunAsync(args, stdout, stderr, new Dictionary<string, string?>
        {
            ["Influx:Url"] = url ?? services.Influx.Url.ToString(),
            ["Influx:Database"] = db,
            ["Influx:TimeoutSeconds"] = "10",
        });
        string text = stdout + stderr.ToString();
        output.WriteLine($"study {string.Join(' ', args)} -> {code}\n{text}");
        return (code, text);
    }

    async Task<(long Trips, long Charges, long Swaps, long Refuels, long Days)> CountsAsync(string db)
    {
        async Task<long> Count(string q) => (await services.Influx.QueryAsync(db, q)).Count();
        return (await Count("SELECT COUNT(end_ms) FROM trips"), await Count("SELECT COUNT(end_ms) FROM charge_sessions"),
            await Count("SELECT COUNT(battery_in) FROM swaps"), await Count("SELECT COUNT(end_ms) FROM refuels"),
            await Count("SELECT COUNT(samples) FROM vehicle_days"));
    }

    static string NewDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "study-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Three vehicles on 2026-11-25, one sample a second.</summary>
    static string KnownFleet()
    {
        var lp = new StringBuilder();
        void Line(string vehicle, string kind, long t, string fields) =>
            lp.Append(CultureInfo.InvariantCulture, $"telemetry,kind={kind},site=bkk,vehicle_id={vehicle} {fields} {t}\n");

        // EM-1: seq 101..1300; a new pack and the charger after the trip.
        for (int i = 0; i < 1200; i++)
        {
            if (i == 599) continue;
            bool moving = i < 600;
            string fields = string.Create(CultureInfo.InvariantCulture,
                $"seq={101 + i}i,speed_kmh={(moving ? 36 : 0)},odo_km={1000 + 0.01 * Math.Min(i, 599):0.###},soc_pct={(moving ? 80 - i * 0.01 : 74):0.##},batt_v=72,batt_a={(moving ? -20 : 10)},ignition=true,battery_id=\"{(moving ? "BP-1" : "BP-2")}\"");
            Line("EM-1", "emoto", Morning + i * 1000L, fields);
        }
        // Sample 599, the trip's last moving one, arrives without its seq 700: the day has 1199 of 1200.
        Line("EM-1", "emoto", Morning + 599_000L, "speed_kmh=36,odo_km=1005.99,soc_pct=74.01,batt_v=72,batt_a=-20,ignition=true,battery_id=\"BP-1\"");
        lp.Append(CultureInfo.InvariantCulture, $"events,kind=emoto,site=bkk,type=battery_swap,vehicle_id=EM-1 battery_id=\"BP-2\",station_id=\"SW-BKK-031\",soc_pct=96 {Morning + 600_000}\n");

        // EM-2: 20 minutes across midnight, then standing.
        for (int i = 0; i < 1500; i++)
            Line("EM-2", "emoto", BeforeMidnight + i * 1000L, string.Create(CultureInfo.InvariantCulture,
                $"seq={i}i,speed_kmh={(i < 1200 ? 30 : 0)},odo_km={50 + Math.Min(i, 1199) / 120.0:0.######},ignition=true"));

        // FL-1: 300 s driving using 1 g/s of its 3 kg, then standing 10 min, a 50 s refuel of 0.5 kg, standing.
        double mass = 3;
        for (int i = 0; i < 1500; i++)
        {
            bool moving = i < 301;
            if (moving && i > 0) mass -= 0.001;
            if (i >= 900 && i < 950) mass += 0.01;
            Line("FL-1", "h2forklift", Morning + i * 1000L, string.Create(CultureInfo.InvariantCulture,
                $"seq={i}i,speed_kmh={(moving ? 10 : 0)},lat={13.7 + Math.Min(i, 300) * 0.00002:0.#######},lon=100.5,h2_mass_kg={mass:0.######},h2_pressure_mpa={mass * 20:0.####},ignition=true"));
        }
        return lp.ToString();
    }
}
