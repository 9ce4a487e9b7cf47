using Telemetry.Contract.Topics;

namespace Telemetry.Contract.Decoding;

/// <summary>
/// What a format's reader tells about a payload, point by point, in payload order; it reads and decides
/// nothing else. Readers are generic over it (<c>Read&lt;THandler&gt;(…, ref THandler handler) where THandler :
/// IPointHandler</c>) and get <see cref="PointBuilder.Handler"/>, a struct, so the calls are direct and
/// inlined; a test can pass a recording handler to see exactly what a reader found.
/// </summary>
/// <remarks>
/// Between <see cref="BeginPoint(int)"/> and <see cref="EndPoint"/>: any number of <see cref="Timestamp"/>,
/// <see cref="RelativeTimestamp"/>, <see cref="TimestampInvalid"/>, <see cref="Field(ReadOnlySpan{byte}, in FieldValue)"/> and
/// <see cref="FieldRefused"/> calls, in the order the reader meets them (a second time is a
/// <c>duplicate_field</c>, so the order matters only for which finding is reported first).
/// </remarks>
public interface IPointHandler
{
    /// <summary>A new point of the topic's measurement. <paramref name="index"/> is reported with its findings (the object's or group's position in the payload, from 0).</summary>
    void BeginPoint(int index);

    /// <summary>A new point of <paramref name="measurement"/>, for formats that name it per point (line protocol).</summary>
    void BeginPoint(int index, StreamKind measurement);

    /// <summary>The point's time, Unix epoch milliseconds (the window is checked at <see cref="EndPoint"/>). Without one, the receive time is used.</summary>
    void Timestamp(long unixMs);

    /// <summary>
    /// The point's time as an offset from the receive time (SenML's relative times): written and counted as the receive
    /// time is, and like a point without a time, refused on a retained message (<c>retained_without_ts</c>).
    /// </summary>
    void RelativeTimestamp(long millisecondsFromReceive);

    /// <summary>The point has a time that is not one (<c>ts_invalid</c>).</summary>
    void TimestampInvalid();

    /// <summary>A field by its catalogue key or VSS path (also <c>seq</c>, and <c>type</c> for events); the key is reported as it is.</summary>
    void Field(ReadOnlySpan<byte> key, in FieldValue value);

    /// <param name="key">what to look up: the key as the catalogue spells it (unescaped, joined, normalised)</param>
    /// <param name="keyAsSent">what to report when the field is refused: the key as it appears in the payload</param>
    void Field(ReadOnlySpan<byte> key, in FieldValue value, ReadOnlySpan<byte> keyAsSent);

    /// <param name="unit">the unit the sender named, by its SenML name (<c>km/h</c>, <c>Cel</c>, <c>1/min</c>…): a field whose
    /// unit is not the catalogue's is refused (<c>field_invalid</c>); empty when none was named</param>
    void Field(ReadOnlySpan<byte> key, in FieldValue value, ReadOnlySpan<byte> keyAsSent, ReadOnlySpan<byte> unit);

    /// <summary>
    /// A field the reader itself refuses (<see cref="RejectReason.FieldInvalid"/> or <see cref="RejectReason.UnknownKey"/>),
    /// for a rule of its format (a SenML unit, a line-protocol tag): reported, not written, the point kept.
    /// </summary>
    void FieldRefused(RejectReason reason, ReadOnlySpan<byte> keyAsSent);

    /// <summary>Applies the point-level rules and writes the line, or rejects the point with one reason.</summary>
    void EndPoint();
}
