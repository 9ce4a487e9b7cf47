using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Telemetry.Gateway.Observability;

/// <summary>
/// Renders one <see cref="Meter"/>'s instruments in the Prometheus text format (0.0.4), through a
/// <see cref="MeterListener"/>: observable instruments are read at scrape time; histograms are
/// aggregated into their advised buckets as values are recorded. Instrument <c>a.b.c</c> with unit
/// <c>s</c> becomes <c>a_b_c_seconds</c> (<c>By</c>: <c>_bytes</c>), and counters end in <c>_total</c>.
/// Only this gateway's meter is exported: several gateways in one process (tests) do not mix.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Instrument> _instruments = [];
    private readonly Dictionary<Instrument, HistogramBuckets> _histograms = [];
    private readonly object _scrapeGate = new();
    private List<(Instrument Instrument, double Value, string Labels)>? _observed;

    public PrometheusExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, meter)) return;
            HistogramBuckets? buckets = instrument is Histogram<double> histogram
                ? new HistogramBuckets(histogram.Advice?.HistogramBucketBoundaries ?? [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10])
                : null;
            lock (_scrapeGate)
            {
                _instruments.Add(instrument);
                if (buckets is not null) _histograms[instrument] = buckets;
            }
            listener.EnableMeasurementEvents(instrument, buckets);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, state) => OnMeasurement(i, v, tags, state));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, state) => OnMeasurement(i, v, tags, state));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, state) => OnMeasurement(i, v, tags, state));
        _listener.Start();
    }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is HistogramBuckets buckets)
        {
            buckets.Record(value);
            return;
        }
        // Observable instruments report only while Scrape holds the gate and calls RecordObservableInstruments.
        _observed?.Add((instrument, value, Labels(tags)));
    }

    public string Scrape()
    {
        lock (_scrapeGate)
        {
            _observed = [];
            _listener.RecordObservableInstruments();
            var byInstrument = _observed.ToLookup(o => o.Instrument);
            _observed = null;

            var text = new StringBuilder(8 * 1024);
            foreach (var instrument in _instruments)
            {
                string name = PrometheusName(instrument);
                if (_histograms.TryGetValue(instrument, out var buckets))
                {
                    Header(text, name, instrument.Description, "histogram");
                    buckets.Write(text, name);
                    continue;
                }
                var values = byInstrument[instrument].ToArray();
                if (values.Length == 0) continue;
                Header(text, name, instrument.Description, IsCounter(instrument) ? "counter" : "gauge");
                foreach (var (_, value, labels) in values)
                    text.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');
            }
            return text.ToString();
        }
    }

    private static bool IsCounter(Instrument instrument) =>
        instrument.GetType() is { IsGenericType: true } type &&
        (type.GetGenericTypeDefinition() == typeof(ObservableCounter<>) || type.GetGenericTypeDefinition() == typeof(Counter<>));

    public static string PrometheusName(Instrument instrument)
    {
        var name = new StringBuilder(instrument.Name.Replace('.', '_').Replace('-', '_'));
        string unit = instrument.Unit switch { "s" => "_seconds", "By" => "_bytes", _ => "" };
        if (unit.Length > 0 && !name.ToString().EndsWith(unit, StringComparison.Ordinal)) name.Append(unit);
        if (IsCounter(instrument)) name.Append("_total");
        return name.ToString();
    }

    private static void Header(StringBuilder text, string name, string? help, string type)
    {
        if (!string.IsNullOrEmpty(help)) text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty) return "";
        var labels = new StringBuilder("{");
        foreach (var (key, value) in tags)
        {
            if (labels.Length > 1) labels.Append(',');
            string text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            labels.Append(key).Append("=\"").Append(text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")).Append('"');
        }
        return labels.Append('}').ToString();
    }

    internal static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    public void Dispose() => _listener.Dispose();

    /// <summary>Cumulative buckets of one histogram; recorded per batch, so a lock is cheap enough.</summary>
    private sealed class HistogramBuckets(IReadOnlyList<double> bounds)
    {
        private readonly long[] _counts = new long[bounds.Count + 1];
        private double _sum;
        private long _count;

        public void Record(double value)
        {
            int bucket = 0;
            while (bucket < bounds.Count && value > bounds[bucket]) bucket++;
            lock (_counts)
            {
                _counts[bucket]++;
                _sum += value;
                _count++;
            }
        }

        public void Write(StringBuilder text, string name)
        {
            lock (_counts)
            {
                long cumulative = 0;
                for (int i = 0; i < bounds.Count; i++)
                {
                    cumulative += _counts[i];
                    text.Append(name).Append("_bucket{le=\"").Append(Number(bounds[i])).Append("\"} ").Append(cumulative).Append('\n');
                }
                text.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(_count).Append('\n');
                text.Append(name).Append("_sum ").Append(Number(_sum)).Append('\n');
                text.Append(name).Append("_count ").Append(_count).Append('\n');
            }
        }
    }
}
