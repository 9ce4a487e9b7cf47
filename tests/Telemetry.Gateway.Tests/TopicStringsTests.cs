using System.Text;
using Telemetry.Gateway.Mqtt;

namespace Telemetry.Gateway.Tests;

public class TopicStringsTests
{
    [Fact]
    public void The_same_topic_gives_the_same_string_without_allocating()
    {
        var topics = new TopicStrings();
        var bytes = "fleet/emoto/EM-000001/telemetry"u8.ToArray();
        var first = topics.Get(bytes);
        Assert.Equal("fleet/emoto/EM-000001/telemetry", first);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Assert.Same(first, topics.Get(bytes));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Different_topics_with_equal_hashes_or_prefixes_stay_apart()
    {
        var topics = new TopicStrings();
        var names = Enumerable.Range(0, 5000).Select(i => $"fleet/bus/BUS-{i:D4}/telemetry").ToArray();
        foreach (var name in names) topics.Get(Encoding.UTF8.GetBytes(name));
        foreach (var name in names) Assert.Equal(name, topics.Get(Encoding.UTF8.GetBytes(name)));
        Assert.Equal(5000, topics.Count);
    }

    [Fact]
    public void Non_ascii_topics_are_decoded_but_not_kept()
    {
        var topics = new TopicStrings();
        var bytes = Encoding.UTF8.GetBytes("fleet/emoto/รถ-1/telemetry");
        Assert.Equal("fleet/emoto/รถ-1/telemetry", topics.Get(bytes));
        Assert.Equal(0, topics.Count);
        var invalid = new byte[] { (byte)'a', 0xFF, (byte)'b' };
        Assert.Equal("a\uFFFDb", topics.Get(invalid));
    }

    [Fact]
    public void Beyond_its_capacity_it_still_answers()
    {
        var topics = new TopicStrings(capacity: 10);
        for (int i = 0; i < 50; i++) Assert.Equal($"t/{i}", topics.Get(Encoding.UTF8.GetBytes($"t/{i}")));
        Assert.Equal(10, topics.Count);
    }
}
