namespace Telemetry.Gateway.Configuration;

/// <summary><c>Gateway:Mode</c>, where messages come from: an external broker the gateway subscribes to, or vehicles connecting to the gateway itself (section <c>Broker</c>).</summary>
internal enum GatewayMode { Subscriber, EmbeddedBroker }
