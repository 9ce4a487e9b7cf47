namespace Telemetry.Gateway.Broker;

/// <summary>What the embedded broker let in and what it refused; read at any time from any thread.</summary>
internal sealed class BrokerCounters
{
    private long _connectionsAccepted, _connectionsRefused, _publishesAccepted, _notAuthorized, _rateLimited, _tooLarge,
        _subscriptionsRefused, _devicesDisconnected;

    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);
    /// <summary>Unknown device, wrong password, disabled device, or a client id that is not the device id.</summary>
    public long ConnectionsRefused => Volatile.Read(ref _connectionsRefused);
    public long PublishesAccepted => Volatile.Read(ref _publishesAccepted);
    /// <summary>Publishes outside the device's own topics (refused with NotAuthorized, dead-lettered as not_authorized).</summary>
    public long PublishesNotAuthorized => Volatile.Read(ref _notAuthorized);
    /// <summary>Publishes over the device's rate limit (refused with QuotaExceeded).</summary>
    public long PublishesRateLimited => Volatile.Read(ref _rateLimited);
    /// <summary>Publishes over Broker:MaxPayloadBytes (refused with QuotaExceeded).</summary>
    public long PublishesTooLarge => Volatile.Read(ref _tooLarge);
    public long SubscriptionsRefused => Volatile.Read(ref _subscriptionsRefused);
    /// <summary>Open connections closed because the registry disabled or changed their device.</summary>
    public long DevicesDisconnected => Volatile.Read(ref _devicesDisconnected);

    internal void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);
    internal void ConnectionRefused() => Interlocked.Increment(ref _connectionsRefused);
    internal void PublishAccepted() => Interlocked.Increment(ref _publishesAccepted);
    internal void NotAuthorized() => Interlocked.Increment(ref _notAuthorized);
    internal void RateLimited() => Interlocked.Increment(ref _rateLimited);
    internal void TooLarge() => Interlocked.Increment(ref _tooLarge);
    internal void SubscriptionRefused() => Interlocked.Increment(ref _subscriptionsRefused);
    internal void DeviceDisconnected() => Interlocked.Increment(ref _devicesDisconnected);
}
