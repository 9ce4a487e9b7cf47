using System.Globalization;
using System.Text;
using DeviceSim.Fleet;
using DeviceSim.Formats;
using DeviceSim.Simulation;
using DeviceSim.Vehicles;

namespace DeviceSim.Manifest;

/// <summary>The human-readable end-of-run summary.</summary>
public static class RunSummary
{
    public static string Format(RunResult run)
    {
        var m = run.Manifest;
        var o = run.Options;
        var sb = new StringBuilder();
        void Line(FormattableString text) => sb.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        var byKind = VehicleKind.All.Select(k => (k, n: run.Vehicles.Count(v => v.Spec.Kind == k))).Where(p => p.n > 0);
        var sites = run.Vehicles.Select(v => v.Spec.Site.Name).Distinct();
        Line($"device-sim summary{(run.Cancelled ? " (interrupted)" : "")}");
        Line($"  vehicles     {run.Vehicles.Count} ({string.Join(", ", byKind.Select(p => $"{p.k} {p.n}"))}) at {string.Join(", ", sites)}");
        double spanH = (run.Window.EndMs - run.Window.StartMs) / 3_600_000.0;
        Line($"  sim time     {Local(run.Window.StartMs)} → {Local(run.Window.EndMs)} ICT ({spanH:0.##} h) in {run.Elapsed:hh\\:mm\\:ss} real");
        double rate = m.Messages / Math.Max(run.Elapsed.TotalSeconds, 0.001);
        Line($"  messages     {m.Messages:N0} (telemetry {m.MessagesByStream["telemetry"]:N0}, event {m.MessagesByStream["event"]:N0}, status {m.MessagesByStream["status"]:N0}), {m.Bytes / 1e6:0.0} MB, {rate:N0} msg/s");
        Line($"  format       {o.Format.Name()}{(run.FormatCounts.Count == 0 ? "" : " (" + string.Join(", ", run.FormatCounts.Select(p => $"{p.Key.Replace('_', ' ')} {p.Value:N0}")) + ")")}");
        Line($"  by kind      {string.Join(", ", m.MessagesByKind.Select(p => $"{p.Key} {p.Value:N0}"))}");
        Line($"  delivery     {(o.OutFile is { } f ? $"written to {f}" : $"acked {run.Published:N0}, failed {run.Failed:N0}{(run.Resent > 0 ? $", resent {run.Resent:N0} after a lost connection" : "")}{(run.LastError is { } e ? $" (last: {e})" : "")}")}");
        Line($"  points       telemetry {m.Points["telemetry"]:N0}, events {m.Points["events"]:N0}, status {m.Points["status"]:N0} (distinct {m.DistinctTotal:N0} of {m.PointsTotal:N0})");
        Line($"  events       {(m.EventsByType.Count == 0 ? "none" : string.Join(", ", m.EventsByType.Select(p => $"{p.Key} {p.Value:N0}")))}");

        var emotos = run.Vehicles.Where(v => v.Spec.Kind == VehicleKind.EMoto).ToList();
        double days = Math.Max(spanH / 24, 1e-9);
        if (emotos.Count > 0)
        {
            var t = ManifestWriter.Totals(emotos);
            Line($"  swaps        {t.Swaps} ({t.Swaps / (emotos.Count * days):0.00} per bike-day), home charges {t.ChargeSessions}, {t.DistanceKm:N0} km ridden");
        }
        var hydrogen = run.Vehicles.Where(v => v.Spec.Kind != VehicleKind.EMoto).ToList();
        if (hydrogen.Count > 0)
        {
            var parts = VehicleKind.All.Skip(1).Select(k => (k, list: hydrogen.Where(v => v.Spec.Kind == k).ToList())).Where(p => p.list.Count > 0)
                .Select(p => DescribeRefuels(p.k, p.list));
            var t = ManifestWriter.Totals(hydrogen);
            Line($"  refuels      {t.Refuels} ({t.RefuelledKg:0.0} kg): {string.Join("; ", parts)}");
        }
        Line($"  faults       {(run.Faults.Count == 0 ? "none" : string.Join(", ", run.Faults.OrderBy(p => p.Key).Select(p => $"{Faults.FaultKinds.Name(p.Key)} {p.Value}")))}");
        Line($"  rejections   {(m.Rejections.Count == 0 ? "none expected" : string.Join(", ", m.Rejections.Select(p => $"{p.Key} {p.Value:N0}")))}");
        if (o.ManifestPath is { } path) Line($"  manifest     {path}");
        return sb.ToString();
    }

    private static string DescribeRefuels(string kind, List<Vehicle> vehicles)
    {
        var kgs = vehicles.SelectMany(v => v.Tally.RefuelKgs).ToList();
        var seconds = vehicles.SelectMany(v => v.Tally.RefuelSeconds).ToList();
        double km = vehicles.Sum(v => v.Tally.DistanceKm), used = vehicles.Sum(v => v.Tally.H2UsedKg);
        string perKm = km > 1 ? string.Create(CultureInfo.InvariantCulture, $", {used / km * 100:0.0} kg/100 km over {km:N0} km") : "";
        if (kgs.Count == 0) return string.Create(CultureInfo.InvariantCulture, $"{kind} none (used {used:0.0} kg{perKm})");
        return string.Create(CultureInfo.InvariantCulture,
            $"{kind} {kgs.Count} × {kgs.Average():0.00} kg in {seconds.Average() / 60:0.0} min (used {used:0.0} kg{perKm})");
    }

    private static string Local(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
