using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Pipeline.Spool;

namespace Telemetry.Pipeline.Tests;

/// <summary>The spool on real files: order, durability across reopen, torn and corrupted tails, bounds.</summary>
public sealed class DiskSpoolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spool-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DiskSpool Open(long maxBytes = 1 << 20, long segmentBytes = 64 * 1024) =>
        DiskSpool.Open(new SpoolOptions { Directory = _dir, MaxBytes = maxBytes, SegmentBytes = segmentBytes }, NullLogger.Instance);

    private static byte[] Batch(int n, int size = 100) => Encoding.UTF8.GetBytes($"m,t=x f={n}i {n}\n".PadRight(size, ' ') + "\n");

    private static async Task<List<string>> DrainAsync(DiskSpool spool, int max = int.MaxValue)
    {
        var read = new List<string>();
        while (read.Count < max && await spool.ReadNextAsync(CancellationToken.None) is { } record)
        {
            read.Add(Encoding.UTF8.GetString(record.Lines.Span));
            spool.Commit(record);
        }
        return read;
    }

    [Fact]
    public async Task Replays_in_append_order_across_segments_and_returns_the_space()
    {
        using var spool = Open(segmentBytes: 1024);
        for (int i = 0; i < 50; i++) Assert.True(spool.TryAppend(Batch(i), 1));
        Assert.True(Directory.GetFiles(_dir, "*.seg").Length > 3);
        var read = await DrainAsync(spool);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => Encoding.UTF8.GetString(Batch(i))), read);
        Assert.Equal(0, spool.PendingBytes);
        Assert.Empty(Directory.GetFiles(_dir, "*.seg"));
    }

    [Fact]
    public async Task Appended_records_survive_a_reopen_and_replay_resumes_at_the_cursor()
    {
        using (var spool = Open(segmentBytes: 1024))
        {
            for (int i = 0; i < 20; i++) spool.TryAppend(Batch(i), 1);
            Assert.Equal(7, (await DrainAsync(spool, max: 7)).Count);
        }
        using var reopened = Open(segmentBytes: 1024);
        Assert.Equal(13, reopened.Recovery.Records);
        var rest = await DrainAsync(reopened);
        Assert.Equal(Enumerable.Range(7, 13).Select(i => Encoding.UTF8.GetString(Batch(i))), rest);
    }

    [Theory]
    [InlineData(1)]      // a torn last byte
    [InlineData(60)]     // a torn body
    [InlineData(110)]    // the whole last record and part of the header
    public async Task A_torn_tail_is_cut_and_reported_and_the_good_part_replays(int bytesLost)
    {
        using (var spool = Open())
            for (int i = 0; i < 5; i++) spool.TryAppend(Batch(i), 1);
        var segment = Directory.GetFiles(_dir, "*.seg").Single();
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(file.Length - bytesLost);

        using var reopened = Open();
        Assert.Equal(4, reopened.Recovery.Records);
        Assert.True(reopened.Recovery.CorruptBytesCut > 0);
        Assert.Single(reopened.Recovery.Problems);
        Assert.Single(Directory.GetFiles(_dir, "*.corrupt"));
        Assert.Equal(4, (await DrainAsync(reopened)).Count);
    }

    [Fact]
    public async Task A_flipped_byte_is_caught_by_the_checksum()
    {
        using (var spool = Open())
            for (int i = 0; i < 5; i++) spool.TryAppend(Batch(i), 1);
        var segment = Directory.GetFiles(_dir, "*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        int recordBytes = bytes.Length / 5;
        bytes[recordBytes * 3 + 40] ^= 0x20; // inside the fourth record's body
        File.WriteAllBytes(segment, bytes);

        using var reopened = Open();
        Assert.Equal(3, reopened.Recovery.Records);
        Assert.Equal(2 * recordBytes, reopened.Recovery.CorruptBytesCut);
        Assert.Equal(3, (await DrainAsync(reopened)).Count);
    }

    [Fact]
    public void Garbage_after_the_last_record_is_cut()
    {
        using (var spool = Open())
            spool.TryAppend(Batch(1), 1);
        File.AppendAllText(Directory.GetFiles(_dir, "*.seg").Single(), "garbage that is no record at all");
        using var reopened = Open();
        Assert.Equal(1, reopened.Recovery.Records);
        Assert.Equal(32, reopened.Recovery.CorruptBytesCut);
    }

    [Fact]
    public async Task A_full_spool_refuses_appends_until_replay_frees_space()
    {
        using var spool = Open(maxBytes: 1170, segmentBytes: 1024);
        int accepted = 0;
        while (spool.TryAppend(Batch(accepted), 1)) accepted++;
        Assert.Equal(10, accepted); // 117 bytes each (16 header + 101 body)
        Assert.True(spool.PendingBytes <= 1170);
        await DrainAsync(spool, max: 9);
        Assert.True(spool.TryAppend(Batch(99), 1));
    }

    [Fact]
    public async Task Reading_while_appending_sees_each_record_once()
    {
        using var spool = Open(segmentBytes: 4096);
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 500; i++) Assert.True(spool.TryAppend(Batch(i), 1));
        });
        var read = new List<string>();
        while (read.Count < 500)
        {
            var record = await spool.ReadNextAsync(CancellationToken.None);
            if (record is null)
            {
                await Task.Delay(1);
                continue;
            }
            read.Add(Encoding.UTF8.GetString(record.Lines.Span));
            spool.Commit(record);
        }
        await writer;
        Assert.Equal(Enumerable.Range(0, 500).Select(i => Encoding.UTF8.GetString(Batch(i))), read);
    }
}
