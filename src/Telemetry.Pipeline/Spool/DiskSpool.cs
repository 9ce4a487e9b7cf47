using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace Telemetry.Pipeline.Spool;

/// <summary>What start-up found in the spool directory.</summary>
internal sealed record SpoolRecovery(int Segments, long Records, long Bytes, long CorruptBytesCut, IReadOnlyList<string> Problems);

/// <summary>A spooled batch read back for replay.</summary>
internal sealed class SpoolRecord(long segment, long offset, long nextOffset, byte[] body, int length, int points)
{
    public long Segment { get; } = segment;
    public long Offset { get; } = offset;
    internal long NextOffset { get; } = nextOffset;
    public ReadOnlyMemory<byte> Lines => body.AsMemory(0, length);
    public int Points { get; } = points;
    internal byte[] RentedBody => body;
}

/// <summary>
/// An append-only, checksummed, fsync'd store of batches that could not be written to InfluxDB.
/// Segments <c>spool-{n}.seg</c> hold records (<see cref="SpoolRecordFormat"/>); <c>cursor</c> holds
/// how far replay has got. A record is durable once <see cref="TryAppend"/> returns true. At start-up a
/// torn or corrupted tail is cut (and kept aside as <c>.corrupt</c>), and the good part replays.
/// </summary>
public sealed class DiskSpool : IDisposable
{
    private readonly SpoolOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly string _cursorPath;
    private readonly SortedSet<long> _segments = [];
    private FileStream? _appendFile;
    private long _appendSegment;
    private long _totalBytes;          // bytes of all segment files
    private long _cursorSegment, _cursorOffset;
    private long _pendingRecords;
    private readonly SemaphoreSlim _appended = new(0);

    private DiskSpool(SpoolOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        Directory.CreateDirectory(options.Directory);
        _cursorPath = Path.Combine(options.Directory, "cursor");
    }

    internal SpoolRecovery Recovery { get; private set; } = new(0, 0, 0, 0, []);

    /// <summary>Bytes waiting for replay.</summary>
    public long PendingBytes
    {
        get { lock (_gate) return Math.Max(0, _totalBytes - (_segments.Count > 0 && _cursorSegment == _segments.Min ? _cursorOffset : 0)); }
    }

    public long PendingRecords => Interlocked.Read(ref _pendingRecords);
    public bool IsFull => PendingBytes >= _options.MaxBytes;
    public long MaxBytes => _options.MaxBytes;

    public static DiskSpool Open(SpoolOptions options, ILogger logger)
    {
        var spool = new DiskSpool(options, logger);
        spool.Recover();
        return spool;
    }

    private string SegmentPath(long segment) => Path.Combine(_options.Directory, $"spool-{segment:D10}.seg");

    private void Recover()
    {
        foreach (var file in Directory.EnumerateFiles(_options.Directory, "spool-*.seg"))
            if (long.TryParse(Path.GetFileNameWithoutExtension(file).AsSpan(6), out long n)) _segments.Add(n);
        ReadCursor();

        var problems = new List<string>();
        long records = 0, bytes = 0, cut = 0;
        foreach (long segment in _segments.ToArray())
        {
            if (segment < _cursorSegment)
            {
                File.Delete(SegmentPath(segment)); // fully replayed before the last stop
                _segments.Remove(segment);
                continue;
            }
            var (goodLength, goodRecords, fileLength) = ScanSegment(SegmentPath(segment), segment == _cursorSegment ? _cursorOffset : 0);
            if (goodLength < fileLength)
            {
                CutTail(segment, goodLength, fileLength);
                cut += fileLength - goodLength;
                problems.Add($"{Path.GetFileName(SegmentPath(segment))}: {fileLength - goodLength} bytes after offset {goodLength} were torn or corrupted; cut and kept as .corrupt");
            }
            records += goodRecords;
            bytes += goodLength;
            _totalBytes += goodLength;
        }
        if (_segments.Count > 0 && _cursorSegment < _segments.Min)
        {
            _cursorSegment = _segments.Min;
            _cursorOffset = 0;
        }
        _pendingRecords = records;
        Recovery = new SpoolRecovery(_segments.Count, records, bytes, cut, problems);
        foreach (var problem in problems) _logger.LogWarning("Spool recovery: {Problem}", problem);
        if (records > 0) _logger.LogInformation("Spool holds {Records} batch(es), {Bytes} bytes, to replay", records, PendingBytes);
        _appendSegment = _segments.Count > 0 ? _segments.Max + 1 : Math.Max(1, _cursorSegment);
    }

    /// <summary>Validates records from <paramref name="from"/>; returns where the last good one ends.</summary>
    private static (long GoodLength, long Records, long FileLength) ScanSegment(string path, long from)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = file.Length, at = from, records = 0;
        Span<byte> header = stackalloc byte[SpoolRecordFormat.HeaderBytes];
        byte[] body = [];
        file.Position = at;
        while (length - at >= SpoolRecordFormat.HeaderBytes)
        {
            file.ReadExactly(header);
            if (!SpoolRecordFormat.TryReadHeader(header, out int bodyLength, out int points, out uint checksum)) break;
            if (length - at - SpoolRecordFormat.HeaderBytes < bodyLength) break;
            if (body.Length < bodyLength) body = new byte[bodyLength];
            file.ReadExactly(body, 0, bodyLength);
            if (SpoolRecordFormat.Checksum(bodyLength, points, body.AsSpan(0, bodyLength)) != checksum) break;
            at += SpoolRecordFormat.HeaderBytes + bodyLength;
            records++;
        }
        return (at, records, length);
    }

    private void CutTail(long segment, long goodLength, long fileLength)
    {
        var path = SegmentPath(segment);
        using (var source = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            using (var corrupt = new FileStream(path + $".{goodLength}.corrupt", FileMode.Create, FileAccess.Write))
            {
                source.Position = goodLength;
                source.CopyTo(corrupt);
            }
            source.SetLength(goodLength);
            source.Flush(true);
        }
        _ = fileLength;
    }

    /// <summary>Appends one batch and fsyncs it. False when the spool is full: the caller keeps the batch.</summary>
    public bool TryAppend(ReadOnlySpan<byte> lines, int points)
    {
        long recordBytes = SpoolRecordFormat.HeaderBytes + lines.Length;
        lock (_gate)
        {
            if (PendingBytesLocked() + recordBytes > _options.MaxBytes) return false;
            if (_appendFile is null || _appendFile.Length + recordBytes > _options.SegmentBytes && _appendFile.Length > 0)
                StartSegment();
            Span<byte> header = stackalloc byte[SpoolRecordFormat.HeaderBytes];
            SpoolRecordFormat.WriteHeader(header, lines, points);
            _appendFile!.Write(header);
            _appendFile.Write(lines);
            _appendFile.Flush(flushToDisk: true);
            _totalBytes += recordBytes;
            _pendingRecords++;
        }
        if (_appended.CurrentCount == 0) _appended.Release();
        return true;
    }

    private long PendingBytesLocked() =>
        Math.Max(0, _totalBytes - (_segments.Count > 0 && _cursorSegment == _segments.Min ? _cursorOffset : 0));

    private void StartSegment()
    {
        _appendFile?.Dispose();
        while (_segments.Contains(_appendSegment)) _appendSegment++;
        _segments.Add(_appendSegment);
        if (_segments.Count == 1)
        {
            _cursorSegment = _appendSegment;
            _cursorOffset = 0;
        }
        _appendFile = new FileStream(SegmentPath(_appendSegment), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1);
        FsyncDirectory();
    }

    /// <summary>The next record to replay, or null when the spool is empty.</summary>
    internal async Task<SpoolRecord?> ReadNextAsync(CancellationToken ct)
    {
        long segment, offset;
        lock (_gate)
        {
            if (_pendingRecords == 0 || _segments.Count == 0) return null;
            segment = _cursorSegment;
            offset = _cursorOffset;
        }
        await using var file = new FileStream(SegmentPath(segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, useAsync: true);
        if (offset >= file.Length)
        {
            if (AdvanceToNextSegment(segment)) return await ReadNextAsync(ct);
            return null;
        }
        file.Position = offset;
        var reader = PipeReader.Create(file, new StreamPipeReaderOptions(bufferSize: 256 * 1024));
        try
        {
            return await ReadRecordAsync(reader, segment, offset, ct);
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static async Task<SpoolRecord?> ReadRecordAsync(PipeReader reader, long segment, long offset, CancellationToken ct)
    {
        int bodyLength = -1, points = 0;
        uint checksum = 0;
        while (true)
        {
            var read = await reader.ReadAsync(ct);
            var buffer = read.Buffer;
            if (bodyLength < 0 && buffer.Length >= SpoolRecordFormat.HeaderBytes)
            {
                var header = new byte[SpoolRecordFormat.HeaderBytes];
                buffer.Slice(0, SpoolRecordFormat.HeaderBytes).CopyTo(header);
                if (!SpoolRecordFormat.TryReadHeader(header, out bodyLength, out points, out checksum))
                    throw new InvalidDataException($"spool segment {segment}: bad record header at {offset}");
            }
            if (bodyLength >= 0 && buffer.Length >= SpoolRecordFormat.HeaderBytes + bodyLength)
            {
                var body = ArrayPool<byte>.Shared.Rent(Math.Max(1, bodyLength));
                buffer.Slice(SpoolRecordFormat.HeaderBytes, bodyLength).CopyTo(body);
                if (SpoolRecordFormat.Checksum(bodyLength, points, body.AsSpan(0, bodyLength)) != checksum)
                    throw new InvalidDataException($"spool segment {segment}: checksum mismatch at {offset}");
                return new SpoolRecord(segment, offset, offset + SpoolRecordFormat.HeaderBytes + bodyLength, body, bodyLength, points);
            }
            if (read.IsCompleted) return null; // the record is still being appended
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private bool AdvanceToNextSegment(long finished)
    {
        lock (_gate)
        {
            if (finished == _appendSegment && _appendFile is not null) return false; // still being written
            var next = _segments.FirstOrDefault(s => s > finished);
            if (next == 0) return false;
            _segments.Remove(finished);
            _totalBytes -= new FileInfo(SegmentPath(finished)).Length;
            File.Delete(SegmentPath(finished));
            _cursorSegment = next;
            _cursorOffset = 0;
            WriteCursor();
            return true;
        }
    }

    /// <summary>Marks a record as replayed (written to InfluxDB) and returns its buffer to the pool.</summary>
    internal void Commit(SpoolRecord record)
    {
        lock (_gate)
        {
            _cursorSegment = record.Segment;
            _cursorOffset = record.NextOffset;
            _pendingRecords--;
            WriteCursor();
            var length = new FileInfo(SegmentPath(record.Segment)).Length;
            if (_cursorOffset >= length && record.Segment != _appendSegment)
            {
                _segments.Remove(record.Segment);
                _totalBytes -= length;
                File.Delete(SegmentPath(record.Segment));
                if (_segments.Count > 0)
                {
                    _cursorSegment = _segments.Min;
                    _cursorOffset = 0;
                    WriteCursor();
                }
            }
            else if (_pendingRecords == 0 && record.Segment == _appendSegment)
            {
                // Everything replayed: start afresh so the disk space is returned.
                _appendFile?.Dispose();
                _appendFile = null;
                _segments.Remove(record.Segment);
                _totalBytes = 0;
                File.Delete(SegmentPath(record.Segment));
                _appendSegment++;
                _cursorSegment = _appendSegment;
                _cursorOffset = 0;
                WriteCursor();
            }
        }
        ArrayPool<byte>.Shared.Return(record.RentedBody);
    }

    /// <summary>Completes when a record is appended (or after <paramref name="timeout"/>).</summary>
    public Task WaitForAppendAsync(TimeSpan timeout, CancellationToken ct) => _appended.WaitAsync(timeout, ct);

    private void ReadCursor()
    {
        if (!File.Exists(_cursorPath)) return;
        var bytes = File.ReadAllBytes(_cursorPath);
        if (bytes.Length != 20 || SpoolRecordFormat.Checksum(0, 0, bytes.AsSpan(0, 16)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)))
        {
            _logger.LogWarning("Spool cursor unreadable; replaying from the oldest segment (points already written are stored once)");
            return;
        }
        _cursorSegment = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        _cursorOffset = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
    }

    private void WriteCursor()
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _cursorSegment);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], _cursorOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], SpoolRecordFormat.Checksum(0, 0, bytes[..16]));
        var temp = _cursorPath + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            file.Write(bytes);
            file.Flush(true);
        }
        File.Move(temp, _cursorPath, overwrite: true);
    }

    private void FsyncDirectory()
    {
        // A new file's directory entry must be durable too, or a crash can lose the whole segment.
        if (!OperatingSystem.IsLinux()) return;
        int fd = LibC.open(_options.Directory, LibC.O_RDONLY | LibC.O_DIRECTORY);
        if (fd < 0) return;
        LibC.fsync(fd);
        LibC.close(fd);
    }

    private static class LibC
    {
        public const int O_RDONLY = 0, O_DIRECTORY = 0x10000;
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] public static extern int open(string path, int flags);
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] public static extern int fsync(int fd);
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] public static extern int close(int fd);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _appendFile?.Dispose();
            _appendFile = null;
        }
        _appended.Dispose();
    }
}
