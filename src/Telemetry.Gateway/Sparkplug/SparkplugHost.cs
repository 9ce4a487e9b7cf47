using Microsoft.Extensions.Options;
using Telemetry.Contract.Sparkplug;
using Telemetry.Gateway.Sources;

namespace Telemetry.Gateway.Sparkplug;

/// <summary>
/// The gateway as a Sparkplug B host application on one MQTT connection after another: what it subscribes to beside the
/// fleet filter, and its STATE. Each connection gets a new timestamp T: the will in its CONNECT is
/// <c>{"online":false,"timestamp":T}</c> and the birth published once the subscriptions are in place is
/// <c>{"online":true,"timestamp":T}</c>, both retained, QoS 1, on <c>spBv1.0/STATE/{host_id}</c> (Sparkplug 3.0, 5.3).
/// </summary>
internal sealed class SparkplugHost
{
    private readonly TimeProvider _time;
    private long _timestampMs;
    private long _births;

    public SparkplugHost(IOptions<SparkplugOptions> options, TimeProvider? time = null)
    {
        var o = options.Value;
        _time = time ?? TimeProvider.System;
        Enabled = o.Enabled;
        HostId = o.HostId;
        StateTopic = HostMessages.StateTopic(o.HostId);
        // Sparkplug 3.0 wants the host subscribed to its own STATE topic too (to answer a stray offline at once).
        Filters = !o.Enabled ? [] : TopicFilters.Matches(o.TopicFilter, StateTopic) ? [o.TopicFilter] : [o.TopicFilter, StateTopic];
    }

    public bool Enabled { get; }
    public string HostId { get; }
    public string StateTopic { get; }
    /// <summary>Subscribed to beside the fleet filter; empty when the host is off.</summary>
    public IReadOnlyList<string> Filters { get; }
    /// <summary>STATE births published (after each connection, and again after a stray offline).</summary>
    public long BirthsPublished => Interlocked.Read(ref _births);

    /// <summary>The will for a new connection's CONNECT; it fixes the T that <see cref="Birth"/> repeats. Null when the host is off.</summary>
    public OutgoingMessage? NewConnectionWill()
    {
        if (!Enabled) return null;
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // Strictly increasing, so an edge node can tell this connection's STATE from an older one even within a millisecond.
        long previous = Interlocked.Read(ref _timestampMs);
        Interlocked.Exchange(ref _timestampMs, Math.Max(now, previous + 1));
        return State(online: false);
    }

    /// <summary>The STATE birth of the current connection (same T as its will).</summary>
    public OutgoingMessage Birth()
    {
        if (Interlocked.Read(ref _timestampMs) == 0) NewConnectionWill(); // embedded broker: no CONNECT of its own
        return State(online: true);
    }

    public void BirthPublished() => Interlocked.Increment(ref _births);

    private OutgoingMessage State(bool online) =>
        new(StateTopic, HostMessages.State(online, Interlocked.Read(ref _timestampMs)), Retain: true);
}
