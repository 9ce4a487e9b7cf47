using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Telemetry.Contract.Decoding;

namespace Telemetry.Pipeline.DeadLetters;

/// <summary>
/// Rejected input as JSON lines: time, topic, reason, the object index and key where one applies,
/// and the payload (its first <see cref="DeadLetterOptions.MaxPayloadBytes"/>; base64 when not UTF-8).
/// Rotated by size. Thread-safe. <see cref="Flush"/> runs before the messages concerned are acknowledged.
/// </summary>
public sealed class DeadLetterFile : IDisposable
{
    public const string FileName = "dead-letter.jsonl";

    private readonly DeadLetterOptions _options;
    private readonly string _path;
    private readonly object _gate = new();
    private FileStream _file;
    private readonly Utf8JsonWriter _json;

    public DeadLetterFile(DeadLetterOptions options)
    {
        _options = options;
        Directory.CreateDirectory(options.Directory);
        _path = Path.Combine(options.Directory, FileName);
        _file = Open(_path);
        _json = new Utf8JsonWriter(_file, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string CurrentPath => _path;

    public void Write(DateTimeOffset time, ReadOnlySpan<char> topic, string reason, int objectIndex, ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> payload, string? detail = null)
    {
        lock (_gate)
        {
            _json.Reset(_file);
            _json.WriteStartObject();
            _json.WriteString("time"u8, time);
            _json.WriteString("topic"u8, topic);
            _json.WriteString("reason"u8, reason);
            if (objectIndex >= 0) _json.WriteNumber("index"u8, objectIndex);
            if (!key.IsEmpty) WriteText("key"u8, key);
            if (detail is not null) _json.WriteString("detail"u8, detail);
            _json.WriteNumber("payload_bytes"u8, payload.Length);
            var kept = payload.Length > _options.MaxPayloadBytes ? payload[.._options.MaxPayloadBytes] : payload;
            if (Utf8.IsValid(kept)) _json.WriteString("payload"u8, kept);
            else _json.WriteBase64String("payload_base64"u8, kept);
            _json.WriteEndObject();
            _json.Flush();
            _file.WriteByte((byte)'\n');
            if (_file.Length >= _options.MaxFileBytes) Rotate();
        }
    }

    public void Write(DateTimeOffset time, ReadOnlySpan<char> topic, RejectReason reason, int objectIndex, ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> payload) => Write(time, topic, reason.Name(), objectIndex, key, payload);

    private void WriteText(ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8)) _json.WriteString(name, utf8);
        else _json.WriteBase64String(name, utf8);
    }

    /// <summary>Pushes buffered records to the operating system (and to disk with <paramref name="toDisk"/>).</summary>
    public void Flush(bool toDisk = false)
    {
        lock (_gate) _file.Flush(toDisk);
    }

    private void Rotate()
    {
        _file.Flush(true);
        _file.Dispose();
        string Numbered(int n) => Path.Combine(_options.Directory, $"dead-letter.{n}.jsonl");
        if (File.Exists(Numbered(_options.KeepFiles))) File.Delete(Numbered(_options.KeepFiles));
        for (int n = _options.KeepFiles - 1; n >= 1; n--)
            if (File.Exists(Numbered(n))) File.Move(Numbered(n), Numbered(n + 1));
        if (_options.KeepFiles > 0) File.Move(_path, Numbered(1));
        else File.Delete(_path);
        _file = Open(_path);
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);

    public void Dispose()
    {
        lock (_gate)
        {
            _json.Dispose();
            _file.Flush(true);
            _file.Dispose();
        }
    }
}
