using System.Globalization;
using Telemetry.Study.Derived;
using Telemetry.Study.Report.Svg;
using static Telemetry.Study.Report.Markup;

namespace Telemetry.Study.Report;

/// <summary>The report's figures, each computed from the study's derived rows.</summary>
internal sealed class Figures(StudyResult result, Palette palette, LocalClock clock)
{
    List<ValueSeries> PerKind<T>(IEnumerable<T> rows, Func<T, VehicleKey> vehicle, Func<T, double?> value) =>
        palette.Kinds
            .Select(kind => new ValueSeries(kind, palette.ColorOf(kind),
                rows.Where(r => vehicle(r).Kind == kind).Select(value).OfType<double>().Where(double.IsFinite).ToList()))
            .Where(s => s.Values.Count > 0)
            .ToList();

    string Zone => result.TimeZone;

    public Figure DailyDistance() => new(
        "daily-distance",
        "Distance per vehicle and day",
        $"Distance driven by one vehicle on one local day ({Zone}), one value per vehicle-day with data; a day "
        + "with telemetry but no movement counts as 0 km. Box: quartiles; thick line: median; whiskers: the last "
        + "value within 1.5 × the interquartile range; points: values beyond.",
        Plots.BoxPlot(PerKind(result.VehicleDays, d => d.Vehicle, d => d.DistanceKm), "Distance per vehicle-day (km)", "km",
            "vehicle-days", "Box plot of distance per vehicle-day by kind"),
        "no vehicle-days");

    public Figure TripStartTime() => new(
        "trip-start",
        "Trip start time of day",
        $"Trips by the local hour they started ({Zone}), stacked by kind.",
        Plots.StackedHistogram(PerKind(result.Trips, t => t.Vehicle, t => clock.HourOfDay(t.StartMs)), new Bins(0, 1, 24), 3,
            $"Trip start, local time (h, {Zone})", "h", "trips", "Histogram of trip start hour by kind"),
        "no trips");

    /// <summary>One panel per kind, each with bins of its own: a bus's trips are ten times a motorcycle's.</summary>
    public Figure TripLength()
    {
        var panels = PerKind(result.Trips, t => t.Vehicle, t => t.DistanceKm).Select(kind =>
        {
            var (bins, tickStep) = RoundBins(kind.Values, 20);
            return Plots.StackedHistogram([kind], bins, tickStep, $"Trip length, {kind.Name} (km)", "km", "trips",
                $"Histogram of trip length, {kind.Name}", height: 190, legendMinimum: 1);
        });
        return new Figure(
            "trip-length",
            "Trip length",
            "Distance of each trip (odometer difference, or the GPS track without odometer), one panel per kind, each with its own scale.",
            DrawnPlot.Panels(panels),
            "no trips");
    }

    public Figure SocAtChargeStart() => new(
        "soc-charge",
        "State of charge when charging starts",
        "Battery state of charge at the first sample of each charge session, in 5 % bins, stacked by kind.",
        Plots.StackedHistogram(PerKind(result.ChargeSessions, c => c.Vehicle, c => c.SocStartPct), new Bins(0, 5, 20), 10,
            "State of charge at charge start (%)", "%", "charge sessions", "Histogram of state of charge at charge start"),
        "no charge session with a state of charge");

    public Figure SocAtSwap()
    {
        var socIn = result.Swaps.Select(s => s.SocInPct).OfType<double>().ToList();
        string socInText = socIn.Count > 0
            ? $" The packs put in had a median state of charge of {Number(Statistics.Quantile(socIn, 0.5), 0)} % (n = {socIn.Count})."
            : "";
        return new Figure(
            "soc-swap",
            "State of charge of the pack taken out at a battery swap",
            "State of charge of the outgoing pack (last sample before the swap), in 5 % bins, stacked by kind." + socInText,
            Plots.StackedHistogram(PerKind(result.Swaps, s => s.Vehicle, s => s.SocOutPct), new Bins(0, 5, 20), 10,
                "State of charge of the pack taken out (%)", "%", "swaps", "Histogram of state of charge at swap"),
            "no swap with a state of charge");
    }

    public Figure SwapsPerStationAndHour()
    {
        const int maxStations = 25;
        const string unknownStation = "(no station id)";
        var byStation = result.Swaps
            .GroupBy(s => string.IsNullOrEmpty(s.StationId) ? unknownStation : s.StationId, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var rows = byStation.Take(maxStations).Select(g => (Label: g.Key, Swaps: g.ToList())).ToList();
        if (byStation.Count > maxStations)
            rows.Add(($"{byStation.Count - maxStations} other stations", byStation.Skip(maxStations).SelectMany(g => g).ToList()));

        var cells = new double?[rows.Count, 24];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int h = 0; h < 24; h++)
                cells[r, h] = null;
            foreach (var swap in rows[r].Swaps)
            {
                int hour = (int)clock.HourOfDay(swap.AtMs);
                cells[r, hour] = (cells[r, hour] ?? 0) + 1;
            }
        }
        double max = 0;
        foreach (var cell in cells)
            max = Math.Max(max, cell ?? 0);
        var colors = Palette.CountColors(Math.Max(1, max), out var key);
        var hours = Enumerable.Range(0, 24).Select(h => h.ToString("00", CultureInfo.InvariantCulture)).ToList();
        var labels = rows.Select(r => $"{r.Label} ({r.Swaps.Count})").ToList();
        return new Figure(
            "swaps-station-hour",
            "Battery swaps per station and hour of day",
            $"Swaps at each station (station id from the swap event; row label: total) by local hour ({Zone}); "
            + "the number in a cell is the count, blank cells had none."
            + (byStation.Count > maxStations ? $" The {maxStations} busiest stations have a row each." : ""),
            Plots.HeatMap(labels, hours, cells, colors,
                (r, h, count) => $"{rows[r].Label}, {hours[h]}:00–{hours[h]}:59: {count:0} swaps",
                $"Hour of day ({Zone})", "Station (swaps)", key, "Heat map of swaps per station and hour",
                count => count.ToString("0", CultureInfo.InvariantCulture), emptyFill: Plots.NoneFill),
            "no swaps");
    }

    // Battery-electric trips only: a fuel-cell vehicle's stack recharges its buffer battery while driving, so its
    // battery energy per km (often negative) is not traction energy and would share an axis with the motorcycles'.
    List<PointSeries> EnergyPoints(Func<Trip, double?> x, string xUnit) =>
        palette.Kinds
            .Select(kind => new PointSeries(kind, palette.ColorOf(kind), result.Trips
                .Where(t => t.Vehicle.Kind == kind && t.H2Kg is null && t.KwhPerKm is { } e && double.IsFinite(e) && x(t) is { } v && double.IsFinite(v))
                .Select(t => new ScatterPoint(x(t)!.Value, t.KwhPerKm!.Value,
                    $"{t.Vehicle.VehicleId}: {Number(x(t)!.Value, 1)} {xUnit}, {Number(t.KwhPerKm!.Value, 3)} kWh/km, {Number(t.DistanceKm, 1)} km"))
                .ToList()))
            .Where(s => s.Points.Count > 0)
            .ToList();

    public Figure EnergyPerKmAgainstSpeed() => new(
        "energy-speed",
        "Energy per km against average speed",
        "One point per battery-electric trip (trips with hydrogen data are left out: a fuel-cell stack recharges the "
        + "buffer battery while driving): traction battery energy (∫ V × −I dt) divided by the trip's distance, against the "
        + "trip's average speed (distance ÷ duration).",
        Plots.Scatter(EnergyPoints(t => t.AvgSpeedKmh, "km/h"), "Average speed of the trip (km/h)", "Energy per km (kWh/km)", "trips",
            "Scatter of energy per km against average speed"),
        "no trip with battery energy");

    public Figure EnergyPerKmAgainstBatteryTemperature() => new(
        "energy-temperature",
        "Energy per km against battery temperature",
        "One point per battery-electric trip: energy per km as in the previous figure, against the mean battery temperature "
        + "(batt_temp_c) over the trip's samples.",
        Plots.Scatter(EnergyPoints(t => t.AvgBattTempC, "°C"), "Mean battery temperature during the trip (°C)", "Energy per km (kWh/km)",
            "trips", "Scatter of energy per km against battery temperature"),
        "no trip with both battery energy and battery temperature");

    public Figure HydrogenPerVehicle()
    {
        var vehicles = result.VehicleDays
            .Where(d => d.H2Kg is not null && d.DistanceKm > 0)
            .GroupBy(d => d.Vehicle)
            .Select(g => (Vehicle: g.Key, Kg: g.Sum(d => d.H2Kg!.Value), Km: g.Sum(d => d.DistanceKm)))
            .OrderBy(v => KindOrder(v.Vehicle.Kind))
            .ThenByDescending(v => v.Kg / v.Km)
            .ThenBy(v => v.Vehicle.VehicleId, StringComparer.Ordinal)
            .ToList();
        var bars = vehicles
            .Select(v => new Bar(v.Vehicle.VehicleId, 100 * v.Kg / v.Km, palette.ColorOf(v.Vehicle.Kind),
                $"{v.Vehicle.VehicleId} ({v.Vehicle.Kind}, {v.Vehicle.Site}): {Number(100 * v.Kg / v.Km, 2)} kg/100 km; {Number(v.Kg, 2)} kg over {Number(v.Km, 1)} km"))
            .ToList();
        return new Figure(
            "h2-per-vehicle",
            "Hydrogen used per 100 km, per vehicle",
            "Hydrogen mass used while driving (first − last h2_mass_kg of each trip, so refuels do not count) per 100 km, "
            + "summed over the vehicle's days with hydrogen data, grouped by kind.",
            Plots.HorizontalBars(bars, "Hydrogen per 100 km (kg/100 km)", "", 2, palette.Legend(vehicles.Select(v => v.Vehicle.Kind)),
                "Bar chart of hydrogen per 100 km per vehicle"),
            "no hydrogen vehicle drove");
    }

    public Figure RefuelDurations()
    {
        var minutes = result.Refuels.Select(r => r.DurationS / 60).Where(double.IsFinite).ToList();
        var (bins, tickStep) = RoundBins(minutes, 20);
        var masses = PerKind(result.Refuels, r => r.Vehicle, r => r.H2Kg);
        string massText = masses.Count > 0
            ? " Median hydrogen added per refuel: "
              + string.Join(", ", masses.Select(m => $"{m.Name} {Number(Statistics.Quantile(m.Values, 0.5), 2)} kg (n = {m.Values.Count})")) + "."
            : "";
        return new Figure(
            "refuel-duration",
            "Refuel durations",
            "Time from the start to the end of each hydrogen refuel, stacked by kind." + massText,
            Plots.StackedHistogram(PerKind(result.Refuels, r => r.Vehicle, r => r.DurationS / 60), bins, tickStep,
                "Refuel duration (min)", "min", "refuels", "Histogram of refuel durations"),
            "no refuels");
    }

    public Figure Completeness()
    {
        var vehicles = result.VehicleDays.Select(d => d.Vehicle).Distinct()
            .OrderBy(v => KindOrder(v.Kind)).ThenBy(v => v.VehicleId, StringComparer.Ordinal).ThenBy(v => v.Site, StringComparer.Ordinal)
            .ToList();
        var days = new List<DateOnly>();
        for (var day = result.From; day < result.To; day = day.AddDays(1))
            days.Add(day);
        var rowOf = vehicles.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        var cells = new double?[vehicles.Count, days.Count];
        var rowsByCell = new Dictionary<(int, int), VehicleDay>();
        foreach (var day in result.VehicleDays)
        {
            int column = day.LocalDate.DayNumber - result.From.DayNumber;
            if (column < 0 || column >= days.Count || day.CompletenessPct is not { } pct || !double.IsFinite(pct))
                continue;
            cells[rowOf[day.Vehicle], column] = pct;
            rowsByCell[(rowOf[day.Vehicle], column)] = day;
        }
        var dayLabels = days.Select(d => d.ToString("MM-dd", CultureInfo.InvariantCulture)).ToList();
        return new Figure(
            "completeness",
            "Data completeness per vehicle and day",
            "Share of the messages each vehicle numbered (seq) that InfluxDB holds, per local day: distinct seq received ÷ "
            + "(max − min + 1). Grey: no telemetry from the vehicle that day. The number in a cell is shown below 99.5 %.",
            Plots.HeatMap(vehicles.Select(v => v.VehicleId).ToList(), dayLabels, cells, Palette.CompletenessColor,
                (r, c, pct) =>
                {
                    var row = rowsByCell[(r, c)];
                    return $"{vehicles[r].VehicleId} ({vehicles[r].Kind}), {days[c]:yyyy-MM-dd}: {Number(pct, 2)} % ({row.SeqReceived:N0} of {row.SeqExpected:N0} seq)";
                },
                $"Local day ({Zone})", "Vehicle", Palette.CompletenessKey, "Heat map of completeness per vehicle and day",
                pct => pct < 99.5 ? pct.ToString("0", CultureInfo.InvariantCulture) : "",
                columnLabelEvery: Math.Max(1, (int)Math.Ceiling(days.Count / 16.0))),
            "no vehicle-days");
    }

    int KindOrder(string kind) => palette.Kinds.ToList().IndexOf(kind);

    /// <summary>Bins from 0 with a tick every 1, 2, 5 or 10 bins (about ten ticks), the last bin ending on a tick.</summary>
    static (Bins Bins, double TickStep) RoundBins(IReadOnlyList<double> values, int targetCount)
    {
        var bins = Bins.FromZeroCovering(values, targetCount);
        int every = (int)Math.Max(1, LinearAxis.NiceStep(bins.Count / 10.0));
        return (bins with { Count = (int)Math.Ceiling(bins.Count / (double)every) * every }, bins.Width * every);
    }
}
