using Telemetry.Contract;

namespace Telemetry.Pipeline.Batching;

/// <summary>A message's acknowledgement: a transport's token, the connection it arrived on, and its packet id where the token alone does not say.</summary>
public readonly record struct AckHandle(object Token, long ConnectionEpoch, ushort PacketId = 0);

/// <summary>Acknowledges messages to their transport, once their points are safe, in the order received.</summary>
public interface IAcknowledger
{
    ValueTask AcknowledgeAsync(AckHandle handle, CancellationToken ct);

    /// <summary>Called after each batch's acknowledgements: a transport that queues them sends them now.</summary>
    ValueTask FlushAsync(CancellationToken ct) => default;
}

/// <summary>Lines of many messages and the acknowledgements they wait for. Reused from a pool.</summary>
internal sealed class Batch : IDisposable
{
    public readonly LineBuffer Lines = new(256 * 1024);
    public readonly List<AckHandle> Acks = new(1024);
    /// <summary>Each point's time (its ts), for the point-age histogram.</summary>
    public readonly List<long> PointTimes = new(1024);
    public int Messages;
    public int Points;
    public long Sequence;
    public long OpenedAtMs;
    public TaskCompletionSource Written = NewCompletion();

    public void Reset()
    {
        Lines.Clear();
        Acks.Clear();
        PointTimes.Clear();
        Messages = 0;
        Points = 0;
        Written = NewCompletion();
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose() => Lines.Dispose();
}
