using Telemetry.Study.Derivation;

namespace Telemetry.Study.Tests;

public sealed class CompletenessTests
{
    [Fact]
    public void Seq_wrapping_at_2_pow_32_continues_the_count()
    {
        var track = new Track { Seq = 4_294_967_290 }.Stand(16);
        Assert.Equal(0, track.Samples[6].Seq);
        var day = Assert.Single(track.Derive().VehicleDays);
        Assert.Equal(16, day.SeqExpected);
        Assert.Equal(16, day.SeqReceived);
        Assert.Equal(100, day.CompletenessPct);
    }

    [Fact]
    public void A_lost_seq_across_the_wrap_is_counted_missing()
    {
        var track = new Track { Seq = 4_294_967_290 }.Stand(16);
        track.Samples.RemoveAt(6); // seq 0
        var day = Assert.Single(track.Derive().VehicleDays);
        Assert.Equal(16, day.SeqExpected);
        Assert.Equal(15, day.SeqReceived);
        Assert.Equal(100.0 * 15 / 16, day.CompletenessPct!.Value, 12);
    }

    [Fact]
    public void A_seq_received_twice_counts_once()
    {
        var track = new Track().Stand(100);
        var twice = track.Samples[50];
        twice.TimeMs = track.Samples[50].TimeMs + 500; // a second gateway stamped it later
        track.Samples.Insert(51, twice);
        var day = Assert.Single(track.Derive().VehicleDays);
        Assert.Equal(101, day.Samples);
        Assert.Equal(100, day.SeqReceived);
        Assert.Equal(100, day.CompletenessPct);
    }

    [Fact]
    public void A_day_without_seq_has_no_completeness()
    {
        var track = new Track().Stand(10);
        for (int i = 0; i < track.Samples.Count; i++) track.Samples[i] = track.Samples[i] with { Seq = -1 };
        var day = Assert.Single(track.Derive().VehicleDays);
        Assert.Equal(0, day.SeqExpected);
        Assert.Null(day.CompletenessPct);
    }

    [Fact]
    public void Runs_merge_whatever_the_order()
    {
        var runs = new SeqRuns();
        long[] values = [10, 12, 14, 11, 13, 13, 9, 20, 15, 30, 16, 17, 18, 19];
        foreach (var v in values) runs.Add(v);
        Assert.Equal(13, runs.Distinct); // 9..20 and 30
        Assert.Equal(2, runs.RunCount);
        Assert.Equal(9, runs.Min);
        Assert.Equal(30, runs.Max);
        Assert.Equal(22, runs.Expected);
    }

    [Fact]
    public void Unwrapping_places_each_value_nearest_the_one_before()
    {
        var u = new SeqUnwrapper();
        Assert.Equal(4_294_967_295, u.Unwrap(4_294_967_295));
        Assert.Equal(4_294_967_296, u.Unwrap(0));
        Assert.Equal(4_294_967_294, u.Unwrap(4_294_967_294)); // late, from before the wrap
        Assert.Equal(4_294_967_297, u.Unwrap(1));
    }
}
