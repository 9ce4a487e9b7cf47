using Telemetry.Contract;

namespace Telemetry.Pipeline.Batching;

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
