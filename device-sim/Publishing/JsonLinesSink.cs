using System.Text.Encodings.Web;
using System.Text;
using System.Text.Json;

namespace DeviceSim.Publishing;

/// <summary>
/// Writes one JSON line per message instead of publishing: <c>{"topic":…,"payload":…,"retain":…}</c>, the
/// payload as a JSON string holding the exact bytes that would be published (they may be broken JSON on purpose), or
/// for a binary payload (Sparkplug's protobuf, SenML CBOR) as <c>payload_base64</c>.
/// </summary>
public sealed class JsonLinesSink : IMessageSink
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Utf8JsonWriter _writer;
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public JsonLinesSink(string path)
    {
        _ownsStream = path != "-";
        _stream = _ownsStream ? new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16) : Console.OpenStandardOutput();
        _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public long Published { get; private set; }
    public long Failed => 0;
    public long Resent => 0;
    public string? LastError => null;

    public Task ConnectAsync(CancellationToken ct) => Task.CompletedTask;

    public ValueTask PublishAsync(OutgoingMessage message, CancellationToken ct)
    {
        _writer.Reset(_stream);
        _writer.WriteStartObject();
        _writer.WriteString("topic", message.Topic);
        if (message.Binary) _writer.WriteBase64String("payload_base64", message.Payload);
        else _writer.WriteString("payload", Encoding.UTF8.GetString(message.Payload));
        _writer.WriteBoolean("retain", message.Retain);
        _writer.WriteEndObject();
        _writer.Flush();
        _stream.Write(NewLine);
        Published++;
        return ValueTask.CompletedTask;
    }

    public Task FlushAsync(CancellationToken ct) => _stream.FlushAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        if (_ownsStream) await _stream.DisposeAsync();
        else await _stream.FlushAsync();
    }
}
