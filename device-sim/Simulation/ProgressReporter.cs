using System.Globalization;
using DeviceSim.Fleet;
using DeviceSim.Manifest;
using DeviceSim.Publishing;

namespace DeviceSim.Simulation;

/// <summary>One status line on stderr every few seconds: simulated time, messages/s overall and per kind.</summary>
public sealed class ProgressReporter(TextWriter log, SimulationOptions options, ManifestRecorder manifest, IMessageSink sink, RunWindow window)
{
    private TimeSpan _last = TimeSpan.Zero;
    private long _lastMessages;
    private readonly Dictionary<string, long> _lastByKind = [];

    public void MaybeReport(long simMs, TimeSpan elapsed)
    {
        if (options.Quiet || elapsed - _last < options.ProgressInterval) return;
        double seconds = (elapsed - _last).TotalSeconds;
        var rates = VehicleKind.All
            .Where(k => manifest.MessagesByKind.ContainsKey(k))
            .Select(k =>
            {
                long now = manifest.MessagesByKind[k];
                long rate = (long)((now - _lastByKind.GetValueOrDefault(k)) / seconds);
                _lastByKind[k] = now;
                return $"{k} {rate}/s";
            });
        double pct = 100.0 * (simMs - window.StartMs) / Math.Max(1, window.EndMs - window.StartMs);
        long msgRate = (long)((manifest.Messages - _lastMessages) / seconds);
        _lastMessages = manifest.Messages;
        _last = elapsed;
        var simTime = DateTimeOffset.FromUnixTimeMilliseconds(simMs).ToOffset(TimeSpan.FromHours(7));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{elapsed:hh\\:mm\\:ss}] sim {simTime:yyyy-MM-dd HH:mm} ICT ({pct:0}%)  {manifest.Messages:N0} msgs  {msgRate:N0} msg/s  [{string.Join(", ", rates)}]  acked {sink.Published:N0}  failed {sink.Failed:N0}"));
    }

    public void Clear() => log.Flush();
}
