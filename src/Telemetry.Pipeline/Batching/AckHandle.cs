namespace Telemetry.Pipeline.Batching;

/// <summary>
/// Where a message's acknowledgement goes: the connection it arrived on (its identity: an acknowledgement
/// is never sent on a later connection), or, in embedded-broker mode, the device's publish waiting for it.
/// Implemented by each message source for its own connections, so a handle always reaches the source it came from.
/// </summary>
public interface IAckTarget
{
    /// <summary>Acknowledges the message <paramref name="packetId"/> of this connection; one whose connection is gone is counted by its source, not sent.</summary>
    ValueTask AcknowledgeAsync(ushort packetId, CancellationToken ct);

    /// <summary>Called after a batch's acknowledgements to this target: a target that queues them sends them now.</summary>
    ValueTask FlushAsync(CancellationToken ct) => default;
}

/// <summary>A held acknowledgement: its target and the packet id it acknowledges (0 where the target alone says which).</summary>
public readonly record struct AckHandle(IAckTarget Target, ushort PacketId = 0);
