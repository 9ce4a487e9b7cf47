using Microsoft.Extensions.Hosting;
using Telemetry.Gateway.Mqtt;

namespace Telemetry.Gateway.Observability;

/// <summary>
/// Counts connections to the external broker by sampling <see cref="IMqttSubscriber.IsConnected"/>
/// twice a second: a drop and reconnect within half a second can go uncounted (the acknowledgements
/// skipped for the old connection, <c>telemetry_gateway_mqtt_stale_acks_total</c>, still show it).
/// </summary>
public sealed class MqttConnectionWatch(IMqttSubscriber subscriber) : BackgroundService
{
    private long _connections;

    /// <summary>Connections seen, the first included.</summary>
    public long Connections => Interlocked.Read(ref _connections);
    public long Reconnects => Math.Max(0, Connections - 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bool wasConnected = false;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            do
            {
                bool connected = subscriber.IsConnected;
                if (connected && !wasConnected) Interlocked.Increment(ref _connections);
                wasConnected = connected;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) { }
    }
}
