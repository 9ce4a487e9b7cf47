using System.Text.Json;
using DeviceSim.Faults;
using DeviceSim.Formats;
using DeviceSim.Simulation;
using DeviceSim.Vehicles;

namespace DeviceSim.Manifest;

/// <summary>
/// Writes the manifest: exact counts of what was sent, per stream and per vehicle, and of what the gateway
/// must do with it (points per measurement, distinct points, rejections by reason), for end-to-end checks.
/// </summary>
public static class ManifestWriter
{
    /// <summary>Every reason the gateway reports, listed even when zero so a test can compare all of them.</summary>
    public static readonly IReadOnlyList<string> ReasonNames =
    [
        "bad_topic", "too_large", "bad_json", "ts_out_of_range", "ts_invalid", "field_invalid",
        "no_fields", "unknown_key", "duplicate_field", "missing_required", "retained_without_ts",
        "bad_payload", "sparkplug_unknown_alias", "sparkplug_no_birth",
    ];

    public static void Write(string path, RunResult run)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var m = run.Manifest;
        var o = run.Options;
        w.WriteStartObject();
        w.WriteString("format", "device-sim-manifest/1");
        w.WriteString("mode", o.Load ? "load" : o.SimDay ? "sim-day" : "real-time");
        w.WriteString("payload_format", o.Format.Name());
        w.WriteNumber("seed", o.Seed);
        w.WriteString("started_at", run.Started.ToString("O"));
        w.WriteNumber("elapsed_s", Math.Round(run.Elapsed.TotalSeconds, 3));
        w.WriteBoolean("completed", !run.Cancelled);
        w.WriteString("sim_start", Iso(run.Window.StartMs));
        w.WriteString("sim_end", Iso(run.Window.EndMs));
        w.WriteNumber("sim_start_ms", run.Window.StartMs);
        w.WriteNumber("sim_end_ms", run.Window.EndMs);
        w.WriteString("output", o.OutFile is { } f ? $"file:{f}" : $"mqtt://{o.Broker}");
        w.WriteNumber("qos", o.Qos);
        w.WriteNumber("batch", o.Batch);
        w.WriteNumber("sample_period_s", o.SamplePeriod.TotalSeconds);
        w.WriteNumber("idle_period_s", o.IdlePeriod.TotalSeconds);
        w.WriteString("connections", o.Connections is { } c ? c.ToString() : o.Format == PayloadFormat.Sparkplug ? "per-edge-node" : "per-vehicle");

        w.WriteStartObject("sent");
        w.WriteNumber("messages", m.Messages);
        w.WriteNumber("bytes", m.Bytes);
        w.WriteStartObject("by_stream");
        foreach (var (stream_, count) in m.MessagesByStream)
        {
            w.WriteStartObject(stream_);
            w.WriteNumber("messages", count);
            w.WriteNumber("objects", m.ObjectsByStream[stream_]);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        WriteCounts(w, "by_kind", m.MessagesByKind);
        w.WriteEndObject();

        w.WriteStartObject("delivery");
        w.WriteNumber("acknowledged", run.Published);
        w.WriteNumber("failed", run.Failed);
        w.WriteNumber("resent", run.Resent);
        if (run.LastError is { } error) w.WriteString("last_error", error);
        w.WriteEndObject();

        w.WriteStartObject("expected");
        WriteCounts(w, "points", m.Points);
        w.WriteNumber("points_total", m.PointsTotal);
        WriteCounts(w, "distinct_points", m.DistinctPoints);
        w.WriteNumber("distinct_points_total", m.DistinctTotal);
        w.WriteStartObject("rejections");
        foreach (var reason in ReasonNames) w.WriteNumber(reason, m.Rejections.GetValueOrDefault(reason));
        w.WriteEndObject();
        w.WriteNumber("rejections_total", m.Rejections.Values.Sum());
        w.WriteNumber("receive_time_points", m.ReceiveTimePoints);
        w.WriteNumber("seq_missing", m.Vehicles.Sum(SeqMissing));
        w.WriteEndObject();

        if (run.FormatCounts.Count > 0) WriteCounts(w, o.Format.Name(), run.FormatCounts);

        w.WriteStartObject("faults_requested");
        foreach (var kind in FaultKinds.All) w.WriteNumber(kind.Name(), o.Faults[kind]);
        w.WriteEndObject();
        w.WriteStartObject("faults_injected");
        foreach (var kind in FaultKinds.All) w.WriteNumber(kind.Name(), run.Faults.GetValueOrDefault(kind));
        w.WriteEndObject();

        WriteCounts(w, "events_by_type", m.EventsByType);
        var tally = Totals(run.Vehicles);
        w.WriteNumber("swaps", tally.Swaps);
        w.WriteStartObject("refuels");
        w.WriteNumber("count", tally.Refuels);
        w.WriteNumber("h2_kg_total", Math.Round(tally.RefuelledKg, 3));
        w.WriteEndObject();

        w.WriteStartArray("vehicles");
        foreach (var account in m.Vehicles)
        {
            var v = run.Vehicles[account.Spec.Index];
            w.WriteStartObject();
            w.WriteString("id", account.Spec.Id);
            w.WriteString("kind", account.Spec.Kind);
            w.WriteString("site", account.Spec.Site.Name);
            w.WriteString("topic_prefix", account.Spec.TopicPrefix);
            WriteCounts(w, "messages", account.Messages);
            WriteCounts(w, "points", account.Points);
            w.WriteNumber("seq_issued", account.SeqIssued);
            w.WriteNumber("seq_written", account.SeqWritten.Count);
            w.WriteNumber("seq_missing", SeqMissing(account));
            w.WriteNumber("seq_dropped", account.SeqDropped);
            w.WriteNumber("trips", v.Tally.Trips);
            w.WriteNumber("swaps", v.Tally.Swaps);
            w.WriteNumber("refuels", v.Tally.Refuels);
            w.WriteNumber("distance_km", Math.Round(v.Tally.DistanceKm, 2));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        GroundTruthWriter.Write(w, run);
        w.WriteEndObject();
    }

    /// <summary>Sequence numbers issued that never reach the database (dropped, or in a rejected object or message).</summary>
    public static long SeqMissing(VehicleAccount account) => account.SeqIssued - account.SeqWritten.Count;

    public static VehicleTally Totals(IEnumerable<Vehicle> vehicles)
    {
        var total = new VehicleTally();
        foreach (var v in vehicles)
        {
            total.Swaps += v.Tally.Swaps;
            total.Refuels += v.Tally.Refuels;
            total.RefuelledKg += v.Tally.RefuelledKg;
            total.DistanceKm += v.Tally.DistanceKm;
            total.H2UsedKg += v.Tally.H2UsedKg;
            total.ChargeSessions += v.Tally.ChargeSessions;
            total.Trips += v.Tally.Trips;
        }
        return total;
    }

    private static void WriteCounts<T>(Utf8JsonWriter w, string name, IEnumerable<KeyValuePair<string, T>> counts) where T : struct
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in counts) w.WriteNumber(key, Convert.ToInt64(value));
        w.WriteEndObject();
    }

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
}
