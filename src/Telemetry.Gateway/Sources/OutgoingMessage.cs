using System.Buffers;
using MQTTnet;
using MQTTnet.Protocol;

namespace Telemetry.Gateway.Sources;

/// <summary>A message the gateway publishes (QoS 1), e.g. a host's state or a command to an edge node.</summary>
/// <param name="ContentType">sent as the MQTT 5 Content Type property when given</param>
internal sealed record OutgoingMessage(string Topic, ReadOnlyMemory<byte> Payload, bool Retain = false, string? ContentType = null)
{
    /// <summary>As MQTTnet's client and server take it.</summary>
    internal MqttApplicationMessage ToMqttNet()
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topic)
            .WithPayload(new ReadOnlySequence<byte>(Payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(Retain);
        if (ContentType is not null) message.WithContentType(ContentType);
        return message.Build();
    }
}
