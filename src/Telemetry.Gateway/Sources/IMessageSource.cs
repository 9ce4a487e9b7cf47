using System.Diagnostics.Metrics;
using Telemetry.Pipeline.Batching;

namespace Telemetry.Gateway.Sources;

/// <summary>
/// Where messages come from: the MQTT subscriber of an external broker, or the embedded broker. A source
/// feeds the pipeline <see cref="ReceivedMessage"/>s, each with an <see cref="AckHandle"/> of its own
/// (<see cref="IAckTarget"/>) when it must be acknowledged, and reports its own state and counters.
/// A new source implements this and is registered in <c>Hosting/MessageSources.cs</c>.
/// </summary>
internal interface IMessageSource : IAsyncDisposable
{
    /// <summary>Its <c>/readyz</c> check: <c>mqtt</c> (subscriber mode) or <c>broker</c> (embedded broker).</summary>
    string Name { get; }

    /// <summary>Whether it can receive now (subscribed, listening), as <c>/readyz</c> shows it; kept by the source as it changes.</summary>
    SourceState State { get; }

    /// <summary>Adds the source's own instruments (its connection state and counters) to the gateway's meter.</summary>
    void AddInstruments(Meter meter, string prefix);

    /// <summary>
    /// Feeds <paramref name="pipeline"/> until <paramref name="ct"/> is cancelled. Afterwards the source still
    /// acknowledges what the pipeline drains, until it is disposed (which closes its connections).
    /// </summary>
    Task RunAsync(IngestPipeline pipeline, CancellationToken ct);

    /// <summary>
    /// Publishes <paramref name="message"/> at QoS 1 through the source's ordered send path; completes when the broker
    /// has acknowledged it (or, embedded, has taken it). Throws <see cref="SourceUnavailableException"/> when not connected.
    /// </summary>
    Task PublishAsync(OutgoingMessage message, CancellationToken ct);
}
