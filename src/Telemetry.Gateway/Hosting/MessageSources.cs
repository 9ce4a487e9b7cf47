using Telemetry.Gateway.Mqtt;
using Telemetry.Pipeline.Batching;
using Telemetry.Pipeline.DeadLetters;

namespace Telemetry.Gateway.Hosting;

/// <summary>Where messages come from (Gateway:Mode): it feeds the pipeline and acknowledges what the pipeline has made safe.</summary>
public interface IMessageSource : IAcknowledger, IAsyncDisposable
{
    /// <summary>Feeds <paramref name="pipeline"/> until <paramref name="ct"/> is cancelled; refusals of its own go to <paramref name="deadLetters"/>.</summary>
    Task RunAsync(IngestPipeline pipeline, DeadLetterFile deadLetters, CancellationToken ct);
}

/// <summary>Subscriber mode: the <see cref="IMqttSubscriber"/> of an external broker.</summary>
internal sealed class SubscriberSource(IMqttSubscriber subscriber) : IMessageSource
{
    public Task RunAsync(IngestPipeline pipeline, DeadLetterFile deadLetters, CancellationToken ct) => subscriber.RunAsync(pipeline, ct);
    public ValueTask AcknowledgeAsync(AckHandle handle, CancellationToken ct) => subscriber.AcknowledgeAsync(handle, ct);
    public ValueTask FlushAsync(CancellationToken ct) => subscriber.FlushAsync(ct);
    public ValueTask DisposeAsync() => subscriber.DisposeAsync();
}
