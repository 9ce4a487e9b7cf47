namespace DeviceSim.Publishing;

/// <summary>Where messages go: a broker or a file.</summary>
public interface IMessageSink : IAsyncDisposable
{
    Task ConnectAsync(CancellationToken ct);
    /// <summary>Hands a message over; may return before the broker acknowledged it (up to the in-flight window).</summary>
    ValueTask PublishAsync(OutgoingMessage message, CancellationToken ct);
    /// <summary>Waits for every publish to be acknowledged (or to fail).</summary>
    Task FlushAsync(CancellationToken ct);
    long Published { get; }
    long Failed { get; }
    string? LastError { get; }
}
