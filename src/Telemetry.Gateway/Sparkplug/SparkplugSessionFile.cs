using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Contract.Sparkplug;

namespace Telemetry.Gateway.Sparkplug;

/// <summary>
/// The Sparkplug sessions the host knows, kept across restarts: every BIRTH and DEATH certificate that changed them
/// (<see cref="SparkplugDecoder.Recorder"/>) is appended to one file before the message can be acknowledged, and at start-up
/// the live ones are applied to the decoder again (<see cref="SparkplugDecoder.Restore"/>). Without it, the DATA a broker
/// redelivers after a crash would find no BIRTH (<c>sparkplug_no_birth</c>) and be dead-lettered instead of written.
/// </summary>
/// <remarks>
/// A record: magic "SPS1", topic length, payload length, CRC-32C of both lengths and bytes, then the topic (UTF-8) and the
/// payload. A torn last record (a crash mid-write) is dropped. Only the live certificates are kept: an NBIRTH replaces the
/// node's records and its devices', an NDEATH removes them, a DBIRTH replaces and a DDEATH removes the device's. The file is
/// rewritten with just those at start-up and whenever it has grown to twice their size. Writes are flushed to the operating
/// system per record, so a killed process loses none; a power cut may lose the last ones (the host then asks for rebirths).
/// </remarks>
internal sealed class SparkplugSessionFile : IDisposable
{
    private const uint Magic = 0x31535053; // "SPS1" little-endian
    private const int HeaderBytes = 16;
    private const int MaxPartBytes = 64 << 20;

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    // Live certificates by node (group/node) and device (group/node/device), with the order they arrived in.
    private readonly Dictionary<string, Certificate> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _devicesOfNode = new(StringComparer.Ordinal);
    private long _order;
    private long _liveBytes;
    private FileStream _file;

    private sealed record Certificate(long Order, string Topic, byte[] Payload)
    {
        public long Bytes => HeaderBytes + Encoding.UTF8.GetByteCount(Topic) + Payload.Length;
    }

    private SparkplugSessionFile(string path, ILogger logger)
    {
        _path = path;
        _logger = logger;
        _file = null!;
    }

    /// <summary>
    /// Reads the file (a missing one is empty), keeps the live certificates and rewrites it with only those. A file that cannot
    /// be read or written stops start-up with an error naming <c>Sparkplug:SessionFile</c>.
    /// </summary>
    public static SparkplugSessionFile Open(string path, ILogger logger)
    {
        try
        {
            return OpenFile(path, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OptionsValidationException(SparkplugOptions.Section, typeof(SparkplugOptions),
                [$"{SparkplugOptions.Section}:SessionFile '{path}' cannot be used ({e.Message}); set it to a writable file on persistent storage, or Sparkplug:Enabled=false"]);
        }
    }

    private static SparkplugSessionFile OpenFile(string path, ILogger logger)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var file = new SparkplugSessionFile(full, logger);
        int records = 0;
        if (File.Exists(full))
        {
            foreach (var (topic, payload) in ReadRecords(full, logger))
            {
                file.Track(topic, payload);
                records++;
            }
        }
        file.Rewrite();
        if (records > 0) logger.LogInformation("Sparkplug sessions: {Live} live certificates of {Records} read from {Path}", file._live.Count, records, full);
        return file;
    }

    /// <summary>The live certificates, in the order they arrived: what <see cref="SparkplugDecoder.Restore"/> is given at start-up.</summary>
    public IReadOnlyList<(string Topic, byte[] Payload)> Live()
    {
        lock (_gate) return [.. _live.Values.OrderBy(c => c.Order).Select(c => (c.Topic, c.Payload))];
    }

    /// <summary>Bytes on disk now, and of the live certificates (the file is rewritten when it reaches twice that).</summary>
    public (long File, long Live) Size()
    {
        lock (_gate) return (_file.Length, _liveBytes);
    }

    /// <summary>The decoder's <see cref="SparkplugDecoder.Recorder"/>: appends the certificate and flushes it to the operating system.</summary>
    public void Append(ReadOnlySpan<char> topic, ReadOnlySpan<byte> payload)
    {
        var topicText = topic.ToString();
        lock (_gate)
        {
            Write(_file, topicText, payload);
            _file.Flush();
            Track(topicText, payload.ToArray());
            if (_file.Length > 2 * _liveBytes + (1 << 20)) Rewrite();
        }
    }

    private void Track(string topic, byte[] payload)
    {
        if (!SparkplugTopic.TryParse(topic, out var parts)) return;
        string node = $"{parts.GroupId}/{parts.EdgeNodeId}";
        switch (parts.Type)
        {
            case SparkplugMessageType.NBirth:
                ForgetNode(node);
                Keep(node, new Certificate(++_order, topic, payload));
                break;
            case SparkplugMessageType.NDeath:
                ForgetNode(node);
                break;
            case SparkplugMessageType.DBirth:
                string device = $"{node}/{parts.DeviceId}";
                Forget(device);
                Keep(device, new Certificate(++_order, topic, payload));
                if (!_devicesOfNode.TryGetValue(node, out var devices)) _devicesOfNode[node] = devices = new(StringComparer.Ordinal);
                devices.Add(device);
                break;
            case SparkplugMessageType.DDeath:
                string gone = $"{node}/{parts.DeviceId}";
                Forget(gone);
                if (_devicesOfNode.TryGetValue(node, out var left)) left.Remove(gone);
                break;
        }
    }

    private void Keep(string key, Certificate certificate)
    {
        _live[key] = certificate;
        _liveBytes += certificate.Bytes;
    }

    private void Forget(string key)
    {
        if (_live.Remove(key, out var old)) _liveBytes -= old.Bytes;
    }

    private void ForgetNode(string node)
    {
        Forget(node);
        if (!_devicesOfNode.Remove(node, out var devices)) return;
        foreach (var device in devices) Forget(device);
    }

    /// <summary>Writes the live certificates to a new file and puts it in place of the old one (rename: never half a file).</summary>
    private void Rewrite()
    {
        string temporary = _path + ".new";
        using (var fresh = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var certificate in _live.Values.OrderBy(c => c.Order)) Write(fresh, certificate.Topic, certificate.Payload);
            fresh.Flush(flushToDisk: true);
        }
        _file?.Dispose();
        File.Move(temporary, _path, overwrite: true);
        _file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    private static void Write(FileStream file, string topic, ReadOnlySpan<byte> payload)
    {
        byte[] topicBytes = Encoding.UTF8.GetBytes(topic);
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], topicBytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Checksum(topicBytes, payload));
        file.Write(header);
        file.Write(topicBytes);
        file.Write(payload);
    }

    private static List<(string Topic, byte[] Payload)> ReadRecords(string path, ILogger logger)
    {
        var records = new List<(string, byte[])>();
        byte[] bytes = File.ReadAllBytes(path);
        int at = 0;
        while (bytes.Length - at >= HeaderBytes)
        {
            var header = bytes.AsSpan(at, HeaderBytes);
            int topicLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || topicLength is < 0 or > MaxPartBytes || payloadLength is < 0 or > MaxPartBytes
                || bytes.Length - at - HeaderBytes < (long)topicLength + payloadLength)
                break;
            var topic = bytes.AsSpan(at + HeaderBytes, topicLength);
            var payload = bytes.AsSpan(at + HeaderBytes + topicLength, payloadLength);
            if (Checksum(topic, payload) != BinaryPrimitives.ReadUInt32LittleEndian(header[12..])) break;
            records.Add((Encoding.UTF8.GetString(topic), payload.ToArray()));
            at += HeaderBytes + topicLength + payloadLength;
        }
        if (at < bytes.Length)
            logger.LogWarning("Sparkplug sessions: {Bytes} bytes at the end of {Path} are not a whole record (a write cut short) and are dropped", bytes.Length - at, path);
        return records;
    }

    private static uint Checksum(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload)
    {
        uint crc = BitOperations.Crc32C(0xFFFFFFFFu, ((ulong)(uint)topic.Length << 32) | (uint)payload.Length);
        foreach (byte b in topic) crc = BitOperations.Crc32C(crc, b);
        foreach (byte b in payload) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }
}
