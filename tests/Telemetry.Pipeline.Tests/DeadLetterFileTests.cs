using System.Text;
using System.Text.Json;
using Telemetry.Contract.Decoding;
using Telemetry.Pipeline.DeadLetters;

namespace Telemetry.Pipeline.Tests;

public sealed class DeadLetterFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dlq-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_record_holds_time_topic_reason_index_key_and_the_first_bytes_of_the_payload()
    {
        var payload = Encoding.UTF8.GetBytes("{\"speed_kmh\":\"fast\"," + new string('x', 5000) + "}");
        using (var file = new DeadLetterFile(new DeadLetterOptions { Directory = _dir }))
            file.Write(DateTimeOffset.UnixEpoch, "fleet/bkk/emoto/EM-1/telemetry", RejectReason.FieldInvalid, 3, "speed_kmh"u8, payload);

        var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, DeadLetterFile.FileName))).RootElement;
        Assert.Equal("1970-01-01T00:00:00+00:00", record.GetProperty("time").GetString());
        Assert.Equal("fleet/bkk/emoto/EM-1/telemetry", record.GetProperty("topic").GetString());
        Assert.Equal("field_invalid", record.GetProperty("reason").GetString());
        Assert.Equal(3, record.GetProperty("index").GetInt32());
        Assert.Equal("speed_kmh", record.GetProperty("key").GetString());
        Assert.Equal(payload.Length, record.GetProperty("payload_bytes").GetInt32());
        Assert.Equal(Encoding.UTF8.GetString(payload, 0, 4096), record.GetProperty("payload").GetString());
    }

    [Fact]
    public void A_payload_that_is_not_utf8_is_kept_as_base64()
    {
        byte[] payload = [0xFF, 0xFE, 0x00, 0x7B];
        using (var file = new DeadLetterFile(new DeadLetterOptions { Directory = _dir }))
            file.Write(DateTimeOffset.UnixEpoch, "fleet/bkk/emoto/EM-1/telemetry", RejectReason.BadJson, -1, default, payload);
        var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, DeadLetterFile.FileName))).RootElement;
        Assert.Equal(payload, record.GetProperty("payload_base64").GetBytesFromBase64());
        Assert.False(record.TryGetProperty("index", out _));
    }

    [Fact]
    public void Files_rotate_by_size_and_only_the_configured_number_is_kept()
    {
        var options = new DeadLetterOptions { Directory = _dir, MaxFileBytes = 4096, KeepFiles = 2 };
        using (var file = new DeadLetterFile(options))
            for (int i = 0; i < 200; i++)
                file.Write(DateTimeOffset.UnixEpoch, "fleet/bkk/emoto/EM-1/telemetry", RejectReason.BadJson, -1, default, Encoding.UTF8.GetBytes($"record {i} " + new string('y', 100)));

        var files = Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["dead-letter.1.jsonl", "dead-letter.2.jsonl", "dead-letter.jsonl"], files);
        Assert.All(Directory.GetFiles(_dir), f => Assert.True(new FileInfo(f).Length < 4096 + 1024));
        var newest = File.ReadAllLines(Path.Combine(_dir, "dead-letter.jsonl")).Last();
        Assert.Contains("record 199", newest);
    }
}
