namespace Telemetry.Contract.Decoding;

/// <summary>What one message became. <see cref="MessageRejection"/> is set when the message was rejected whole.</summary>
public struct DecodeOutcome
{
    public int Objects;
    public int Points;
    public int ObjectsRejected;
    /// <summary>Points written at the gateway's receive time because the object had no <c>ts</c>.</summary>
    public int ReceiveTimeUsed;
    public RejectReason? MessageRejection;
}

/// <summary>
/// Receives every finding of one message in payload order, after the message is fully read (so a
/// payload that turns out to be <c>bad_json</c> reports only that). Implement it with a struct: the
/// decoder is generic over it so the calls are inlined.
/// </summary>
public interface IDecodeSink
{
    /// <summary>
    /// A point was written for the object at <paramref name="objectIndex"/>; <paramref name="seq"/> is its <c>seq</c>, or -1
    /// when it had none; <paramref name="timestampMs"/> its time (the <c>ts</c>, or the receive time).
    /// </summary>
    void OnPoint(int objectIndex, long seq, long timestampMs);

    /// <param name="reason">why</param>
    /// <param name="objectIndex">the point's index in the payload (the object, 0 for a single one; the SenML time group; the line), -1 for the whole message</param>
    /// <param name="key">the key as sent (a JSON key raw, as in the payload) for field-level reasons; empty otherwise</param>
    void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key);
}
