using System.Globalization;
using System.Text;
using Telemetry.Study.Derived;
using static Telemetry.Study.Report.Markup;

namespace Telemetry.Study.Report;

/// <summary>
/// The study's report: one self-contained <c>report.html</c> (CSS inline, plots as inline SVG, no script, no
/// network) with the fleet summary and the study's figures.
/// </summary>
public static class StudyReport
{
    public const string FileName = "report.html";

    /// <summary>Writes <c>report.html</c> into <paramref name="outputDirectory"/> (created if missing) and returns its full path.</summary>
    public static string Write(StudyResult result, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(outputDirectory);
        string path = Path.GetFullPath(Path.Combine(outputDirectory, FileName));
        string html = Render(result, DateTimeOffset.UtcNow);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The report as one HTML document.</summary>
    public static string Render(StudyResult result, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(result);
        var clock = LocalClock.For(result.TimeZone);
        var palette = new Palette(KindsIn(result));
        var figures = new Figures(result, palette, clock);
        int days = result.To.DayNumber - result.From.DayNumber;
        string range = $"{result.From:yyyy-MM-dd} to {result.To.AddDays(-1):yyyy-MM-dd}";

        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<link rel=\"icon\" href=\"data:,\">\n")
            .Append($"<title>Fleet study {Escape(range)}</title>\n<style>{ReportStyle.Css}</style>\n</head>\n<body>\n");
        html.Append($"<header><h1>Fleet study, {Escape(range)}</h1>\n<p class=\"meta\">{days} local day{(days == 1 ? "" : "s")} in {Escape(result.TimeZone)}"
            + $" · {result.PointsRead.ToString("N0", CultureInfo.InvariantCulture)} telemetry points read"
            + $" · generated {generatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</p></header>\n");

        if (HasNoData(result))
        {
            html.Append("<p class=\"notice\" id=\"no-data\"><strong>No data in this range.</strong> InfluxDB held no telemetry for "
                + $"{Escape(range)} ({Escape(result.TimeZone)}) that the study could use: the table and every figure below are empty. "
                + "Check the range, the site and kind filters, and that the gateway was writing to this database.</p>\n");
        }

        html.Append("<section>\n<h2>Fleet summary</h2>\n");
        AppendSummary(html, result, palette);
        html.Append("</section>\n");

        int number = 0;
        void Section(string title, params Figure[] sectionFigures)
        {
            html.Append($"<section>\n<h2>{Escape(title)}</h2>\n");
            foreach (var figure in sectionFigures)
                AppendFigure(html, figure, ++number);
            html.Append("</section>\n");
        }

        Section("Use", figures.DailyDistance(), figures.TripStartTime(), figures.TripLength());
        Section("Charging and battery swapping", figures.SocAtChargeStart(), figures.SocAtSwap(), figures.SwapsPerStationAndHour());
        Section("Energy", figures.EnergyPerKmAgainstSpeed(), figures.EnergyPerKmAgainstBatteryTemperature());
        Section("Hydrogen", figures.HydrogenPerVehicle(), figures.RefuelDurations());
        Section("Data completeness", figures.Completeness());

        html.Append("<footer><p>Derived as the wire contract's section 8 defines trips, charge sessions, swaps, refuels and "
            + "vehicle-days (measurements <code>trips</code>, <code>charge_sessions</code>, <code>swaps</code>, <code>refuels</code>, "
            + "<code>vehicle_days</code>). Local days and hours are in " + Escape(result.TimeZone) + ".</p></footer>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    static bool HasNoData(StudyResult result) =>
        result.VehicleDays.Count == 0 && result.Trips.Count == 0 && result.ChargeSessions.Count == 0
        && result.Swaps.Count == 0 && result.Refuels.Count == 0;

    static IEnumerable<string> KindsIn(StudyResult result) =>
        result.VehicleDays.Select(d => d.Vehicle.Kind)
            .Concat(result.Trips.Select(t => t.Vehicle.Kind))
            .Concat(result.ChargeSessions.Select(c => c.Vehicle.Kind))
            .Concat(result.Swaps.Select(s => s.Vehicle.Kind))
            .Concat(result.Refuels.Select(r => r.Vehicle.Kind));

    static void AppendSummary(StringBuilder html, StudyResult result, Palette palette)
    {
        var rows = FleetSummary.PerKind(result, palette);
        if (rows.Count == 0)
        {
            html.Append("<p class=\"no-data\">No data: no vehicle-days in this range.</p>\n");
            return;
        }
        html.Append("<table class=\"summary\">\n<thead><tr><th>kind</th><th>vehicles</th><th>vehicle-<br>days</th><th>trips</th>"
            + "<th>distance<br>km</th><th>energy<br>kWh</th><th>energy<br>kWh/km</th><th>H₂<br>kg</th><th>H₂<br>kg/100&nbsp;km</th>"
            + "<th>charges</th><th>swaps</th><th>refuels</th><th>complete-<br>ness %</th></tr></thead>\n<tbody>\n");
        foreach (var row in rows)
            AppendSummaryRow(html, "td", row, palette.ColorOf(row.Kind!));
        html.Append("</tbody>\n");
        if (rows.Count > 1)
        {
            html.Append("<tfoot>");
            AppendSummaryRow(html, "td", FleetSummary.Fleet(result) with { KwhPerKm = null, KgPer100Km = null }, null);
            html.Append("</tfoot>\n");
        }
        html.Append("</table>\n<p class=\"caption\">Sums over the vehicle-days of each kind. Energy is traction-battery energy "
            + "used while driving; kWh/km and kg/100 km are taken over the days that have both the energy (or hydrogen) and a "
            + "distance; completeness is Σ distinct seq received ÷ Σ seq expected. The fleet row leaves out the ratios, "
            + "which mean nothing across kinds.</p>\n");
    }

    static void AppendSummaryRow(StringBuilder html, string cell, FleetSummaryRow row, string? color)
    {
        string kind = row.Kind is null
            ? "all kinds"
            : $"<span class=\"key\" style=\"background:{color}\"></span>{Escape(row.Kind)}";
        html.Append($"<tr><{cell} class=\"kind\">{kind}</{cell}>");
        foreach (string value in (string[])[
            Number(row.Vehicles, 0), Number(row.VehicleDays, 0), Number(row.Trips, 0), Number(row.DistanceKm, 1),
            Number(row.EnergyKwh, 1), Number(row.KwhPerKm, 3), Number(row.H2Kg, 2), Number(row.KgPer100Km, 2),
            Number(row.Charges, 0), Number(row.Swaps, 0), Number(row.Refuels, 0), Number(row.CompletenessPct, 2)])
            html.Append($"<{cell}>{value}</{cell}>");
        html.Append("</tr>\n");
    }

    static void AppendFigure(StringBuilder html, Figure figure, int number)
    {
        html.Append($"<figure class=\"plot\" id=\"{figure.Id}\">\n<h3>Figure {number}. {Escape(figure.Title)}</h3>\n");
        if (figure.Plot is { } plot)
            html.Append(plot.Svg).Append('\n');
        else
            html.Append($"<p class=\"no-data\">No data: {Escape(figure.MissingData)} in this range.</p>\n");
        string note = figure.Plot?.Note is { Length: > 0 } n ? " " + n : "";
        html.Append($"<figcaption>{Escape(figure.Caption + note)}</figcaption>\n</figure>\n");
    }
}
