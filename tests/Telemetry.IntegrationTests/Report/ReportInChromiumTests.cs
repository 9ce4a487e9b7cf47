using System.Text.Json;
using Telemetry.IntegrationTests.Services;
using Telemetry.Study.Derived;
using Telemetry.Study.Report;
using Telemetry.Study.Tests.Report;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.Report;

/// <summary>
/// Opens report.html in a real headless Chromium: no console error, no request beyond the file itself,
/// and every plot drawn with visible data marks (or saying "no data"). Screenshots of the page and of
/// each figure are kept under the test output, in report-artifacts/.
/// </summary>
public sealed class ReportInChromiumTests(ITestOutputHelper output)
{
    static readonly string artifacts = Path.Combine(AppContext.BaseDirectory, "report-artifacts");

    // Per figure: whether it has a plot, how many data marks it has and how many of them have a visible area.
    const string FiguresScript = """
        JSON.stringify({
          notice: !!document.getElementById('no-data'),
          figures: [...document.querySelectorAll('figure.plot')].map(f => {
            const svgs = [...f.querySelectorAll('svg')];
            const svg = svgs[0];
            const visible = s => [...s.querySelectorAll('.mark')].filter(m => { const b = m.getBBox(); return b.width > 0 && b.height > 0; }).length;
            const marks = svgs.flatMap(s => [...s.querySelectorAll('.mark')]);
            const box = f.getBoundingClientRect();
            return {
              id: f.id,
              svg: !!svg,
              svgHeight: svg ? svg.getBoundingClientRect().height : 0,
              marks: marks.length,
              visibleMarks: svgs.reduce((n, s) => n + visible(s), 0),
              plotsWithoutMarks: svgs.filter(s => visible(s) === 0).length,
              noData: !!f.querySelector('.no-data'),
              x: box.left + window.scrollX, y: box.top + window.scrollY, width: box.width, height: box.height
            };
          })
        })
        """;

    sealed record FigureOnPage(string Id, bool Svg, double SvgHeight, int Marks, int VisibleMarks, int PlotsWithoutMarks, bool NoData,
        double X, double Y, double Width, double Height);

    sealed record PageReport(bool Notice, List<FigureOnPage> Figures);

    [Theory]
    [InlineData("fleet", 7, 8)]
    [InlineData("large", 30, 300)] // 2.8 MB: 4,000 of 28,000 trips drawn, 9,200 heat-map cells
    public async Task The_report_of_a_fleet_shows_every_plot_with_data_and_no_console_error(string name, int days, int motorcycles)
    {
        var (page, errors, requests) = await OpenReportAsync(SyntheticStudy.Fleet(days: days, motorcycles: motorcycles), name, figureScreenshots: true);

        Assert.Empty(errors);
        Assert.False(page.Notice);
        Assert.Equal(11, page.Figures.Count);
        foreach (var figure in page.Figures)
        {
            Assert.True(figure.Svg && !figure.NoData, $"figure {figure.Id} has no plot");
            Assert.True(figure.SvgHeight > 100, $"figure {figure.Id} is {figure.SvgHeight} px high");
            Assert.True(figure.VisibleMarks > 0, $"figure {figure.Id}: {figure.VisibleMarks} of {figure.Marks} data marks visible");
            Assert.True(figure.PlotsWithoutMarks == 0, $"figure {figure.Id}: {figure.PlotsWithoutMarks} of its plots have no visible data mark");
        }
        Assert.All(requests, url => Assert.StartsWith("file:///", url));
    }

    [Fact]
    public async Task The_report_of_a_range_without_data_says_so_in_every_figure_and_has_no_console_error()
    {
        var empty = SyntheticStudy.Empty(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 27));

        var (page, errors, requests) = await OpenReportAsync(empty, "empty", figureScreenshots: false);

        Assert.Empty(errors);
        Assert.True(page.Notice);
        Assert.Equal(11, page.Figures.Count);
        Assert.All(page.Figures, figure => Assert.True(figure.NoData && !figure.Svg, $"figure {figure.Id}"));
        Assert.All(requests, url => Assert.StartsWith("file:///", url));
    }

    [Fact]
    public async Task The_checks_see_a_console_error_a_failed_request_and_a_plot_without_marks()
    {
        Directory.CreateDirectory(artifacts);
        string path = Path.Combine(artifacts, "broken.html");
        await File.WriteAllTextAsync(path, """
            <!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body>
            <figure class="plot" id="empty-axis"><svg viewBox="0 0 100 100"><line x1="0" y1="90" x2="100" y2="90" stroke="black"/></svg></figure>
            <figure class="plot" id="zero-size"><svg viewBox="0 0 100 100"><rect class="mark" x="10" y="10" width="0" height="40"/></svg></figure>
            <img src="missing.png"><script>console.error('drawn wrong')</script></body></html>
            """);

        await using var chromium = await ChromiumServer.StartAsync();
        await using var tab = await chromium.OpenPageAsync();
        await tab.NavigateAsync(new Uri(path), CancellationToken.None);
        var page = JsonSerializer.Deserialize<PageReport>(await tab.EvaluateAsync(FiguresScript, CancellationToken.None), JsonSerializerOptions.Web)!;

        Assert.Contains(tab.Errors, e => e.Contains("drawn wrong"));
        Assert.Contains(tab.Errors, e => e.Contains("missing.png") || e.Contains("ERR_FILE_NOT_FOUND"));
        Assert.Equal([(0, 0, 1), (1, 0, 1)], page.Figures.Select(f => (f.Marks, f.VisibleMarks, f.PlotsWithoutMarks)));
    }

    async Task<(PageReport Page, List<string> Errors, List<string> Requests)> OpenReportAsync(StudyResult result, string name, bool figureScreenshots)
    {
        string directory = Path.Combine(artifacts, name);
        string reportPath = StudyReport.Write(result, directory);
        await using var chromium = await ChromiumServer.StartAsync();
        await using var tab = await chromium.OpenPageAsync();

        await tab.NavigateAsync(new Uri(reportPath), CancellationToken.None);
        var page = JsonSerializer.Deserialize<PageReport>(await tab.EvaluateAsync(FiguresScript, CancellationToken.None), JsonSerializerOptions.Web)!;

        string screenshot = Path.Combine(directory, "report.png");
        await tab.SaveScreenshotAsync(screenshot, null, CancellationToken.None);
        if (figureScreenshots)
        {
            await tab.SaveScreenshotAsync(Path.Combine(directory, "top.png"), (0, 0, 1000, 900), CancellationToken.None);
            foreach (var figure in page.Figures)
                await tab.SaveScreenshotAsync(Path.Combine(directory, $"{figure.Id}.png"), (figure.X - 8, figure.Y - 8, figure.Width + 16, figure.Height + 16), CancellationToken.None);
        }
        output.WriteLine($"report: {reportPath}");
        output.WriteLine($"screenshot: {screenshot}");
        foreach (string error in tab.Errors)
            output.WriteLine($"error: {error}");
        return (page, tab.Errors.ToList(), tab.RequestedUrls.ToList());
    }
}
