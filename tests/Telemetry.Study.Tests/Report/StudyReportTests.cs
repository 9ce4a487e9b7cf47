using System.Text.RegularExpressions;
using System.Xml.Linq;
using Telemetry.Study.Derived;
using Telemetry.Study.Report;

namespace Telemetry.Study.Tests.Report;

public class StudyReportTests
{
    static readonly DateTimeOffset generatedAt = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    static readonly string[] figureIds =
    [
        "daily-distance", "trip-start", "trip-length", "soc-charge", "soc-swap", "swaps-station-hour",
        "energy-speed", "energy-temperature", "h2-per-vehicle", "refuel-duration", "completeness",
    ];

    /// <summary>Each figure's id and body, in report order.</summary>
    static List<(string Id, string Body)> FiguresOf(string html) =>
        Regex.Matches(html, "<figure class=\"plot\" id=\"([^\"]+)\">(.*?)</figure>", RegexOptions.Singleline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value))
            .ToList();

    /// <summary>The figure's SVG parsed as XML (so it is well-formed), or null when the figure has none.</summary>
    static XDocument? SvgOf(string figureBody)
    {
        var match = Regex.Match(figureBody, "<svg .*?</svg>", RegexOptions.Singleline);
        return match.Success ? XDocument.Parse(match.Value) : null;
    }

    static int MarksIn(XDocument svg) =>
        svg.Descendants().Count(e => ((string?)e.Attribute("class"))?.Split(' ').Contains("mark") == true);

    [Fact]
    public void A_full_fleet_gets_every_figure_drawn_with_data_marks_and_well_formed_svg()
    {
        string html = StudyReport.Render(SyntheticStudy.Fleet(), generatedAt);

        var figures = FiguresOf(html);
        Assert.Equal(figureIds, figures.Select(f => f.Id));
        foreach (var (id, body) in figures)
        {
            var svg = SvgOf(body);
            Assert.True(svg is not null, $"figure {id} has no plot: {body}");
            Assert.True(MarksIn(svg) > 0, $"figure {id} has no data marks");
            Assert.DoesNotContain("no-data", body);
        }
        Assert.DoesNotContain("No data in this range", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public void The_summary_table_has_a_cell_under_every_heading_in_every_row()
    {
        string html = StudyReport.Render(SyntheticStudy.Fleet(), generatedAt);

        string table = Regex.Match(html, "<table class=\"summary\">.*?</table>", RegexOptions.Singleline).Value;
        var rows = Regex.Matches(table, "<tr>(.*?)</tr>", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(1 + 4 + 1, rows.Count); // heading, four kinds, the fleet
        Assert.Equal(13, Regex.Matches(rows[0], "<th>").Count);
        Assert.Equal("kind", Regex.Match(rows[0], "<th>(.*?)</th>").Groups[1].Value);
        Assert.All(rows.Skip(1), row => Assert.Equal(13, Regex.Matches(row, "<td[ >]").Count));
        Assert.DoesNotMatch("</th>[^<]", rows[0]);
    }

    [Fact]
    public void A_range_with_no_data_says_so_and_every_figure_says_no_data()
    {
        string html = StudyReport.Render(SyntheticStudy.Empty(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 27)), generatedAt);

        Assert.Contains("No data in this range.", html);
        Assert.Contains("2026-11-20 to 2026-11-26", html);
        Assert.Contains("No data: no vehicle-days in this range.", html);
        var figures = FiguresOf(html);
        Assert.Equal(figureIds, figures.Select(f => f.Id));
        foreach (var (id, body) in figures)
        {
            Assert.Null(SvgOf(body));
            Assert.Contains("<p class=\"no-data\">No data:", body);
        }
    }

    [Fact]
    public void Figures_without_their_data_say_no_data_while_the_others_are_drawn()
    {
        var fleet = SyntheticStudy.Fleet();
        var motorcyclesOnly = new StudyResult { From = fleet.From, To = fleet.To, TimeZone = fleet.TimeZone };
        motorcyclesOnly.Trips.AddRange(fleet.Trips.Where(t => t.Vehicle.Kind == "emoto").Select(t => t with { AvgBattTempC = null }));
        motorcyclesOnly.VehicleDays.AddRange(fleet.VehicleDays.Where(d => d.Vehicle.Kind == "emoto"));

        var figures = FiguresOf(StudyReport.Render(motorcyclesOnly, generatedAt)).ToDictionary(f => f.Id, f => f.Body);

        Assert.Contains("No data: no hydrogen vehicle drove in this range.", figures["h2-per-vehicle"]);
        Assert.Contains("No data: no refuels in this range.", figures["refuel-duration"]);
        Assert.Contains("No data: no swaps in this range.", figures["swaps-station-hour"]);
        Assert.Contains("No data: no charge session with a state of charge in this range.", figures["soc-charge"]);
        Assert.Contains("No data: no trip with both battery energy and battery temperature in this range.", figures["energy-temperature"]);
        foreach (string drawn in (string[])["daily-distance", "trip-start", "trip-length", "energy-speed", "completeness"])
            Assert.True(MarksIn(SvgOf(figures[drawn])!) > 0, drawn);
    }

    [Fact]
    public void Ids_from_devices_are_escaped_everywhere()
    {
        var result = SyntheticStudy.Empty(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21));
        var hostile = new VehicleKey("<b>site</b>", "<i>kind</i>", "EM-<img src=x onerror=alert(1)>");
        long at = new DateTimeOffset(2026, 11, 20, 3, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        result.Trips.Add(new Trip(hostile, at, at + 600_000, 600, 3, 18, 30, 0.2, 0.0667, 80, 77, null, null, 600, 33));
        result.Swaps.Add(new Swap(hostile, at + 700_000, "A", "B", 95, 20, SyntheticStudy.HostileStationId));
        result.VehicleDays.Add(new VehicleDay(hostile, at, result.From, 3, 1, 600, 0.2, 0.0667, null, null, 0, 1, 0, 600, 600, 590, 98.3));

        string html = StudyReport.Render(result, generatedAt);

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>", html);
        Assert.DoesNotContain("<i>", html);
        Assert.Contains("EM-&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("&lt;script&gt;console.error(&#39;station&#39;)&lt;/script&gt;&amp;&quot;&#39;", html);
        foreach (var (id, body) in FiguresOf(html))
            _ = SvgOf(body); // every svg still parses
    }

    [Fact]
    public void Trip_start_hours_are_local_time_of_the_result_zone()
    {
        var result = SyntheticStudy.Empty(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21));
        var vehicle = new VehicleKey("bkk", "emoto", "EM-1");
        long at = new DateTimeOffset(2026, 11, 20, 0, 30, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(); // 07:30 in Bangkok
        result.Trips.Add(new Trip(vehicle, at, at + 600_000, 600, 3, 18, 30, null, null, null, null, null, null, 600));

        var startFigure = FiguresOf(StudyReport.Render(result, generatedAt)).Single(f => f.Id == "trip-start").Body;

        var marks = SvgOf(startFigure)!.Descendants().Where(e => (string?)e.Attribute("class") == "mark").ToList();
        Assert.Equal("emoto: 1 trips, 7–8 h", Assert.Single(marks).Element(XName.Get("title", "http://www.w3.org/2000/svg"))!.Value);
    }

    [Fact]
    public void Trip_length_has_a_panel_per_kind_and_energy_per_km_only_battery_electric_trips()
    {
        var result = SyntheticStudy.Fleet(days: 3, motorcycles: 3);
        var bus = result.Trips.First(t => t.Vehicle.Kind == "h2bus");
        result.Trips.Add(bus with { KwhPerKm = -0.4, EnergyKwh = -4 }); // a fuel-cell stack recharging the buffer battery

        var figures = FiguresOf(StudyReport.Render(result, generatedAt)).ToDictionary(f => f.Id, f => f.Body);

        Assert.Equal(4, Regex.Matches(figures["trip-length"], "<svg ").Count);
        Assert.DoesNotContain(bus.Vehicle.VehicleId, figures["energy-speed"]);
        Assert.DoesNotContain("beyond the axis", figures["energy-speed"]);
    }

    [Fact]
    public void An_unknown_time_zone_is_an_error_naming_it()
    {
        var result = new StudyResult { From = new DateOnly(2026, 11, 20), To = new DateOnly(2026, 11, 21), TimeZone = "Mars/Olympus" };

        var error = Assert.Throws<ArgumentException>(() => StudyReport.Render(result, generatedAt));

        Assert.Contains("Mars/Olympus", error.Message);
    }

    [Fact]
    public void Write_creates_the_directory_and_returns_the_full_path_of_report_html()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"study-report-{Guid.NewGuid():N}", "out");
        try
        {
            string path = StudyReport.Write(SyntheticStudy.Fleet(days: 2, motorcycles: 2), directory);

            Assert.Equal(Path.Combine(Path.GetFullPath(directory), "report.html"), path);
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path));
            Assert.Equal([path], Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    [Fact]
    public void Values_that_are_not_numbers_or_out_of_range_do_not_break_the_report()
    {
        var result = SyntheticStudy.Fleet(days: 2, motorcycles: 2);
        var vehicle = result.Trips[0].Vehicle;
        long at = result.Trips[0].StartMs;
        result.Trips.Add(result.Trips[0] with { DistanceKm = double.NaN, KwhPerKm = double.PositiveInfinity, AvgSpeedKmh = double.NaN });
        result.Trips.Add(result.Trips[0] with { DistanceKm = -5, DurationS = -60, KwhPerKm = -0.2 });
        result.Trips.Add(result.Trips[0] with { DistanceKm = 1e7, KwhPerKm = 1e6, AvgBattTempC = 500 });
        result.Refuels.Add(new Refuel(vehicle, at, at - 1000, -1, double.NaN, null, null));
        result.Swaps.Add(new Swap(vehicle, at, null, null, double.NaN, 250, null));
        result.VehicleDays.Add(result.VehicleDays[0] with { LocalDate = result.From.AddDays(-3), CompletenessPct = 50 }); // outside the range
        result.VehicleDays.Add(result.VehicleDays[1] with { CompletenessPct = double.NaN, DistanceKm = double.NaN, H2Kg = double.NaN });

        string html = StudyReport.Render(result, generatedAt);

        foreach (var (id, body) in FiguresOf(html))
        {
            var svg = SvgOf(body);
            Assert.True(svg is null || MarksIn(svg) > 0, id);
            Assert.DoesNotContain("NaN", body);
            Assert.DoesNotContain("Infinity", body);
        }
    }

    [Fact]
    public void A_large_fleet_draws_a_sample_of_its_trips_and_says_so()
    {
        var result = SyntheticStudy.Fleet(days: 30, motorcycles: 300);

        var figures = FiguresOf(StudyReport.Render(result, generatedAt)).ToDictionary(f => f.Id, f => f.Body);

        int trips = result.Trips.Count(t => t.KwhPerKm is not null);
        Assert.True(trips > 8000, $"{trips} electric trips");
        int stride = (int)Math.Ceiling(trips / 4000.0);
        Assert.Contains($"One in {stride} of the {trips:N0} trips is drawn.", figures["energy-speed"]);
        Assert.InRange(MarksIn(SvgOf(figures["energy-speed"])!), 3000, 4000);
        Assert.Equal(307 * 30 - 1, MarksIn(SvgOf(figures["completeness"])!)); // one vehicle-day is missing
    }

    [Fact]
    public void A_few_extreme_energy_values_leave_the_axis_for_the_rest_and_the_caption_counts_them()
    {
        var result = SyntheticStudy.Fleet(days: 3, motorcycles: 4);
        var trip = result.Trips.First(t => t.KwhPerKm is not null);
        result.Trips.Add(trip with { KwhPerKm = 40 });
        result.Trips.Add(trip with { KwhPerKm = 55 });

        var figure = FiguresOf(StudyReport.Render(result, generatedAt)).Single(f => f.Id == "energy-speed").Body;

        Assert.Matches("2 trips beyond the axis \\(0\\.00 to 0\\.\\d\\d\\) are not drawn\\.", figure);
    }
}
