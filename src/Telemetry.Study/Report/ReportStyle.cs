namespace Telemetry.Study.Report;

/// <summary>The report's one stylesheet: plain, legible on screen and on paper (A4, black and white).</summary>
internal static class ReportStyle
{
    public const string Css = """
        :root { color-scheme: light; }
        body { font-family: "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; color: #1a1a1a; background: #fff;
               max-width: 800px; margin: 28px auto; padding: 0 20px; font-size: 14px; line-height: 1.45; }
        h1 { font-size: 23px; margin: 0 0 4px; }
        h2 { font-size: 17px; margin: 32px 0 10px; padding-bottom: 3px; border-bottom: 1px solid #bbb; }
        h3 { font-size: 14px; margin: 0 0 6px; }
        .meta { color: #555; margin: 0 0 12px; }
        .notice { border-left: 4px solid #D55E00; background: #fff3ea; padding: 10px 14px; }
        figure { margin: 0 0 28px; break-inside: avoid; page-break-inside: avoid; }
        figcaption, .caption { font-size: 12.5px; color: #333; margin: 6px 0 0; }
        .no-data { border: 1px dashed #999; background: #fafafa; color: #444; text-align: center; padding: 36px 12px; margin: 0; }
        table.summary { border-collapse: collapse; width: 100%; font-size: 11.5px; font-variant-numeric: tabular-nums; }
        table.summary th, table.summary td { padding: 4px 3px; text-align: right; border-bottom: 1px solid #ddd; white-space: nowrap; }
        table.summary th { vertical-align: bottom; font-weight: 600; border-bottom: 2px solid #333; }
        table.summary th:first-child, table.summary td.kind { text-align: left; }
        table.summary tfoot td { border-top: 2px solid #333; border-bottom: none; font-weight: 600; }
        .key { display: inline-block; width: 10px; height: 10px; margin-right: 6px; vertical-align: baseline; }
        svg.chart { display: block; width: 100%; height: auto; font-family: inherit; }
        svg .grid { stroke: #e8e8e8; stroke-width: 1; }
        svg .axis, svg .tick { stroke: #333; stroke-width: 1; }
        svg .tick-label { fill: #333; font-size: 11px; }
        svg .axis-title { fill: #111; font-size: 12.5px; }
        svg .legend { fill: #222; font-size: 11.5px; }
        svg .whisker { stroke: #333; stroke-width: 1.2; }
        svg .box { fill-opacity: 0.35; stroke-width: 1.5; }
        svg .median { stroke: #111; stroke-width: 2.4; }
        svg .cell-label { fill: #111; font-size: 9.5px; }
        svg .cell-label.on-dark { fill: #fff; }
        svg .bar-label { fill: #333; font-size: 10.5px; }
        footer { margin-top: 36px; font-size: 12px; color: #555; border-top: 1px solid #ccc; }
        @media print {
          body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
          h2 { break-after: avoid; page-break-after: avoid; }
          .notice { border: 1px solid #000; }
        }
        """;
}
