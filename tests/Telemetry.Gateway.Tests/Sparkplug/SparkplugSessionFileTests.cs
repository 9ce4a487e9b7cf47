using Microsoft.Extensions.Logging.Abstractions;
using Telemetry.Gateway.Sparkplug;

namespace Telemetry.Gateway.Tests.Sparkplug;

/// <summary>The host's certificates across restarts: what is kept live, compaction, and a write cut short.</summary>
public sealed class SparkplugSessionFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sp-sessions-").FullName;
    private string Path => System.IO.Path.Combine(_directory, "sub", "sessions.log");

    private static byte[] Bytes(int n) => Enumerable.Range(0, n).Select(i => (byte)i).ToArray();

    private static string[] Topics(SparkplugSessionFile file) => file.Live().Select(c => c.Topic).ToArray();

    [Fact]
    public void The_live_certificates_survive_a_reopen_in_the_order_they_arrived()
    {
        using (var file = SparkplugSessionFile.Open(Path, NullLogger.Instance))
        {
            file.Append("spBv1.0/g/NBIRTH/DEPOT", Bytes(10));
            file.Append("spBv1.0/g/DBIRTH/DEPOT/FL-1", Bytes(20));
            file.Append("spBv1.0/g/NBIRTH/BUS-1", Bytes(30));
            file.Append("spBv1.0/g/DBIRTH/DEPOT/FL-2", Bytes(40));
        }
        using var reopened = SparkplugSessionFile.Open(Path, NullLogger.Instance);
        Assert.Equal(["spBv1.0/g/NBIRTH/DEPOT", "spBv1.0/g/DBIRTH/DEPOT/FL-1", "spBv1.0/g/NBIRTH/BUS-1", "spBv1.0/g/DBIRTH/DEPOT/FL-2"], Topics(reopened));
        Assert.Equal(Bytes(40), reopened.Live()[3].Payload);
    }

    [Fact]
    public void A_rebirth_replaces_the_node_and_drops_its_devices_and_deaths_remove_what_they_end()
    {
        using var file = SparkplugSessionFile.Open(Path, NullLogger.Instance);
        file.Append("spBv1.0/g/NBIRTH/DEPOT", Bytes(1));
        file.Append("spBv1.0/g/DBIRTH/DEPOT/FL-1", Bytes(2));
        file.Append("spBv1.0/g/DBIRTH/DEPOT/FL-2", Bytes(3));
        file.Append("spBv1.0/g/NBIRTH/BUS-1", Bytes(4));
        file.Append("spBv1.0/g/NBIRTH/DEPOT", Bytes(5)); // rebirth: its devices send DBIRTH again
        file.Append("spBv1.0/g/DBIRTH/DEPOT/FL-2", Bytes(6));
        file.Append("spBv1.0/g/DDEATH/DEPOT/FL-2", Bytes(7));
        file.Append("spBv1.0/g/DBIRTH/DEPOT/FL-1", Bytes(8));
        file.Append("spBv1.0/g/NDEATH/BUS-1", Bytes(9));
        Assert.Equal(["spBv1.0/g/NBIRTH/DEPOT", "spBv1.0/g/DBIRTH/DEPOT/FL-1"], Topics(file));
        Assert.Equal([Bytes(5), Bytes(8)], file.Live().Select(c => c.Payload));
    }

    [Fact]
    public void A_file_that_grew_past_twice_its_live_size_is_rewritten_with_the_live_ones()
    {
        using var file = SparkplugSessionFile.Open(Path, NullLogger.Instance);
        for (int i = 0; i < 400; i++) file.Append("spBv1.0/g/NBIRTH/FL-FLAP", Bytes(8000)); // a node that reconnects again and again
        var (onDisk, live) = file.Size();
        Assert.InRange(onDisk, live, 2 * live + (1 << 20));
        Assert.Single(file.Live());
    }

    [Fact]
    public void A_record_cut_short_is_dropped_and_the_ones_before_it_are_kept()
    {
        using (var file = SparkplugSessionFile.Open(Path, NullLogger.Instance))
        {
            file.Append("spBv1.0/g/NBIRTH/FL-1", Bytes(100));
            file.Append("spBv1.0/g/NBIRTH/FL-2", Bytes(100));
        }
        long length = new FileInfo(Path).Length;
        using (var stream = new FileStream(Path, FileMode.Open)) stream.SetLength(length - 30);
        using (var reopened = SparkplugSessionFile.Open(Path, NullLogger.Instance))
        {
            Assert.Equal(["spBv1.0/g/NBIRTH/FL-1"], Topics(reopened));
            reopened.Append("spBv1.0/g/NBIRTH/FL-3", Bytes(5));
        }
        using var again = SparkplugSessionFile.Open(Path, NullLogger.Instance);
        Assert.Equal(["spBv1.0/g/NBIRTH/FL-1", "spBv1.0/g/NBIRTH/FL-3"], Topics(again));
    }

    [Fact]
    public void A_corrupted_record_ends_the_readable_part()
    {
        using (var file = SparkplugSessionFile.Open(Path, NullLogger.Instance))
        {
            file.Append("spBv1.0/g/NBIRTH/FL-1", Bytes(50));
            file.Append("spBv1.0/g/NBIRTH/FL-2", Bytes(50));
        }
        var bytes = File.ReadAllBytes(Path);
        bytes[^10] ^= 0xFF; // inside the second record's payload: its checksum no longer matches
        File.WriteAllBytes(Path, bytes);
        using var reopened = SparkplugSessionFile.Open(Path, NullLogger.Instance);
        Assert.Equal(["spBv1.0/g/NBIRTH/FL-1"], Topics(reopened));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
