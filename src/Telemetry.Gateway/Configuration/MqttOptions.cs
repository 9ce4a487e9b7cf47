namespace Telemetry.Gateway.Configuration;

/// <summary>Section <c>Mqtt</c>: the broker the gateway subscribes to.</summary>
internal sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary>The MQTT client: <c>Pipelines</c> (built in, reads straight from the socket) or <c>MQTTnet</c>.</summary>
    public MqttClientKind Client { get; set; } = MqttClientKind.Pipelines;

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public bool UseTls { get; set; }
    /// <summary>PEM file of the CA that signed the broker's certificate; empty for the system's trust store.</summary>
    public string CaFile { get; set; } = "";
    /// <summary>PEM certificate the gateway presents to the broker (mTLS); with <see cref="ClientKeyFile"/>.</summary>
    public string ClientCertificateFile { get; set; } = "";
    /// <summary>PEM private key of <see cref="ClientCertificateFile"/> (unencrypted PKCS#8, PKCS#1 or SEC1).</summary>
    public string ClientKeyFile { get; set; } = "";
    /// <summary>Client id; it names the persistent session, so each instance needs its own.</summary>
    public string ClientId { get; set; } = "telemetry-gateway";
    /// <summary>Subscription filter, e.g. fleet/+/+/+/+ or $share/gateways/fleet/+/+/+/+.</summary>
    public string TopicFilter { get; set; } = "fleet/+/+/+/+";
    /// <summary>0 or 1. With 1 a message is acknowledged only once its points are in InfluxDB.</summary>
    public int Qos { get; set; } = 1;
    /// <summary>How long the broker keeps the session (and queues messages) while the gateway is away.</summary>
    public uint SessionExpirySeconds { get; set; } = 7 * 24 * 3600;
    /// <summary>
    /// On a normal stop, leave cleanly: UNSUBSCRIBE, write and acknowledge what arrived, then DISCONNECT with session
    /// expiry 0, so the broker stops dealing this member a share of a shared subscription. <c>Shared</c> (default): only
    /// for a <c>$share/</c> filter; <c>Never</c>: keep the session (a restart under the same client id); <c>Always</c>.
    /// </summary>
    public SessionEnd EndSessionOnStop { get; set; } = SessionEnd.Shared;
    /// <summary>How long leaving may take: unsubscribing, receiving what the broker still sends, writing and acknowledging it.</summary>
    public int LeaveTimeoutSeconds { get; set; } = 10;
    /// <summary>MQTT 5 Receive Maximum: QoS 1 messages the broker may send before acknowledgements. Must cover the batches held unacknowledged.</summary>
    public int ReceiveMaximum { get; set; } = 65535;
    public int KeepAliveSeconds { get; set; } = 30;
    public int ReconnectMinDelayMs { get; set; } = 250;
    public int ReconnectMaxDelayMs { get; set; } = 30_000;
    /// <summary>
    /// Built-in client: after a socket read that filled less than half of the read buffer, wait this long before reading
    /// again, so each read carries more messages and the process wakes up less. Adds at most this much latency. 0: read at once.
    /// </summary>
    public int ReadCoalesceMs { get; set; } = 10;
    /// <summary>Socket buffers. MQTTnet's 8 KiB default stalls a QoS 1 flood on loopback; 256 KiB does not.</summary>
    public int SocketBufferBytes { get; set; } = 256 * 1024;
}

internal enum SessionEnd
{
    Shared,
    Always,
    Never,
}

internal enum MqttClientKind
{
    /// <summary>The gateway's own MQTT 5 subscriber on System.IO.Pipelines: no object per message, PUBACKs sent per batch.</summary>
    Pipelines,
    /// <summary>MQTTnet's client: one message object and one PUBACK write per message.</summary>
    MQTTnet,
}
