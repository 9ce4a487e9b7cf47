using Telemetry.Contract.Decoding;
using Telemetry.Pipeline.Quality;

namespace Telemetry.Pipeline.Tests;

public sealed class QualityTrackerTests
{
    private const string Topic = "fleet/bkk/emoto/EM-1/telemetry";

    private static QualityCounts Unreported(QualityTracker tracker, string vehicleId) =>
        tracker.Unreported(forgetAfterIntervals: 1000).Single(v => v.Vehicle.VehicleId == vehicleId).Counts;

    [Fact]
    public void Every_sample_is_written_or_rejected_and_seq_findings_are_counted()
    {
        var tracker = new QualityTracker(new QualityOptions());
        foreach (long seq in new long[] { 1, 2, 5, 4, 4, -1 }) tracker.OnPoint(new string(Topic), seq); // 3 never arrives; 4 late then again
        tracker.OnRejected(Topic, RejectReason.BadJson);
        tracker.OnRejected(Topic, RejectReason.TsOutOfRange);
        tracker.OnRejected(Topic, RejectReason.UnknownKey);
        tracker.OnRejected("fleet/BAD/emoto/x/telemetry", RejectReason.BadTopic);

        var c = Unreported(tracker, "EM-1");
        Assert.Equal(8, c.Received);
        Assert.Equal(6, c.Written);
        Assert.Equal(2, c.Rejected);
        Assert.Equal(c.Received, c.Written + c.Rejected);
        Assert.Equal(1, c.FieldsDropped);
        Assert.Equal(4, c.SeqReceived);
        Assert.Equal(1, c.SeqLost);
        Assert.Equal(1, c.SeqDuplicates);
        Assert.Equal(1, tracker.VehicleCount);
    }

    [Fact]
    public void Sparkplug_topics_count_with_the_vehicle_the_host_names_and_unnamed_ones_are_not_counted()
    {
        var asked = new List<string>();
        var tracker = new QualityTracker(new QualityOptions())
        {
            ForeignTopics = (string topic, out string site, out string kind, out string id) =>
            {
                asked.Add(topic);
                (site, kind, id) = ("bkk", "h2forklift", "FL-21");
                return topic.EndsWith("/FL-21", StringComparison.Ordinal);
            },
        };
        tracker.OnPoint("fleet/bkk/h2forklift/FL-21/telemetry", 1);
        tracker.OnPoint("spBv1.0/bkk/DDATA/DEPOT-1/FL-21", 2);
        tracker.OnPoint(new string("spBv1.0/bkk/DDATA/DEPOT-1/FL-21"), 3);
        tracker.OnRejected("spBv1.0/bkk/DDATA/DEPOT-1/FL-21", RejectReason.SparkplugUnknownAlias);
        tracker.OnPoint("spBv1.0/bkk/DDATA/DEPOT-1/FL-99", 1);

        var c = Unreported(tracker, "FL-21");
        Assert.Equal((4, 3, 1, 3), (c.Received, c.Written, c.Rejected, c.SeqReceived));
        Assert.Equal(1, tracker.VehicleCount);
        Assert.Equal(["spBv1.0/bkk/DDATA/DEPOT-1/FL-21", "spBv1.0/bkk/DDATA/DEPOT-1/FL-99"], asked); // once per topic it could name
    }

    [Fact]
    public void Reported_counts_are_taken_off_and_new_ones_accumulate()
    {
        var tracker = new QualityTracker(new QualityOptions());
        tracker.OnPoint(Topic, 1);
        var due = tracker.Unreported(1000);
        tracker.OnPoint(Topic, 2);
        tracker.MarkReported(due);
        var c = Unreported(tracker, "EM-1");
        Assert.Equal(1, c.Received);
        Assert.Equal(1, c.SeqReceived);
        Assert.Equal(0, c.SeqLost);
    }

    [Fact]
    public void Site_kind_and_vehicle_come_from_the_topic_and_streams_of_one_vehicle_share_an_entry()
    {
        var tracker = new QualityTracker(new QualityOptions());
        tracker.OnPoint("fleet/laem-chabang/h2bus/BUS-7/telemetry", 1);
        tracker.OnPoint("fleet/laem-chabang/h2bus/BUS-7/event", -1);
        var (vehicle, counts) = tracker.Unreported(1000).Single();
        Assert.Equal(("laem-chabang", "h2bus", "BUS-7"), (vehicle.Site, vehicle.Kind, vehicle.VehicleId));
        Assert.Equal(2, counts.Received);
        Assert.Equal(2, tracker.KindTotals().Single(k => k.Kind == "h2bus").Total.Written);
    }

    [Fact]
    public void Vehicles_beyond_the_limit_are_not_tracked_and_idle_ones_are_forgotten()
    {
        var tracker = new QualityTracker(new QualityOptions { MaxVehicles = 2 });
        tracker.OnPoint("fleet/bkk/emoto/A/telemetry", 1);
        tracker.OnPoint("fleet/bkk/emoto/B/telemetry", 1);
        tracker.OnPoint("fleet/bkk/emoto/C/telemetry", 1);
        Assert.Equal(2, tracker.VehicleCount);
        Assert.Equal(1, tracker.UntrackedSamples);

        tracker.MarkReported(tracker.Unreported(forgetAfterIntervals: 2));
        tracker.Unreported(2);
        tracker.Unreported(2);
        Assert.Equal(0, tracker.VehicleCount);
    }

    [Fact]
    public void A_known_vehicle_costs_no_allocation()
    {
        var tracker = new QualityTracker(new QualityOptions());
        var topics = Enumerable.Range(0, 100).Select(i => $"fleet/bkk/emoto/EM-{i}/telemetry").ToArray();
        for (int i = 0; i < topics.Length; i++) tracker.OnPoint(new string(topics[i]), 0);
        var fresh = topics.Select(t => new string(t)).ToArray(); // new string instances, as MQTT delivers them
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 1; round < 50; round++)
            for (int i = 0; i < fresh.Length; i++) tracker.OnPoint(fresh[i], round);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
