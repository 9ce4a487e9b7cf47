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
