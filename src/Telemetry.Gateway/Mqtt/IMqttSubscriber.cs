using Telemetry.Pipeline.Batching;

namespace Telemetry.Gateway.Mqtt;

/// <summary>Subscriber mode's MQTT client (<c>Mqtt:Client</c> picks one): feeds the pipeline and sends the held acknowledgements.</summary>
public interface IMqttSubscriber : IAcknowledger, IAsyncDisposable
{
    bool IsConnected { get; }
    /// <summary>Acknowledgements not sent because the connection they belonged to is gone (the broker redelivers those messages).</summary>
    long StaleAcksSkipped { get; }
    /// <summary>Connects, subscribes, and keeps the connection up until <paramref name="ct"/> is cancelled; the last connection stays open for acknowledgements until disposed.</summary>
    Task RunAsync(IngestPipeline pipeline, CancellationToken ct);
}

/// <summary>Backoff between connection attempts: doubling from the minimum, with ±25 % jitter so a fleet of gateways does not reconnect in step.</summary>
internal static class ReconnectDelay
{
    public static Task WaitAsync(int delayMs, CancellationToken ct) =>
        Task.Delay(TimeSpan.FromMilliseconds(delayMs * (0.75 + Random.Shared.NextDouble() * 0.5)), ct).ContinueWith(_ => { });

    public static int Next(int delayMs, int maxMs) => Math.Min(maxMs, delayMs * 2);
}
