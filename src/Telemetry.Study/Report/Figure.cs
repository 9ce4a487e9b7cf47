using Telemetry.Study.Report.Svg;

namespace Telemetry.Study.Report;

/// <summary>
/// One numbered figure of the report: a plot, or (when <see cref="Plot"/> is null) a "no data" panel saying
/// what was missing.
/// </summary>
internal sealed record Figure(string Id, string Title, string Caption, DrawnPlot? Plot, string MissingData);
