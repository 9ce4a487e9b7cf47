using System.Buffers;

namespace Telemetry.Pipeline.Batching;

/// <summary>
/// One message as a source hands it to <see cref="IngestPipeline.AcceptAsync"/>. <see cref="Payload"/> may be a
/// slice of the source's receive buffer: it is read before <c>AcceptAsync</c> returns (or its task completes).
/// </summary>
/// <param name="Retained">a broker's replay of a retained message on subscribe (not a live one)</param>
/// <param name="ContentType">the MQTT 5 Content Type property, when the publisher set one</param>
/// <param name="Ack">null for messages that need no acknowledgement (QoS 0)</param>
public readonly record struct ReceivedMessage(string Topic, ReadOnlySequence<byte> Payload, bool Retained = false,
    string? ContentType = null, AckHandle? Ack = null);
