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
    /// <summary>Publishes sent again because their connection was lost before they were acknowledged.</summary>
    long Resent { get; }
    string? LastError { get; }
}

public static class MessageSinks
{
    /// <summary>The sink the options ask for: a JSON-lines file (<c>--out</c>) or the MQTT broker, with the format's clients.</summary>
    public static IMessageSink Open(Simulation.SimulationOptions options, Formats.WireFormat format) =>
        options.OutFile is { } path
            ? new JsonLinesSink(path)
            : new MqttSink(options.Broker, options.Qos, options.Inflight, format.Senders(options), options.ReconnectTimeout, format.OnCommand);
}
