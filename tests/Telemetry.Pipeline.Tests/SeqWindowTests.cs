using Telemetry.Pipeline.Quality;

namespace Telemetry.Pipeline.Tests;

public sealed class SeqWindowTests
{
    [Fact]
    public void In_order_numbers_are_neither_gaps_nor_duplicates()
    {
        var window = new SeqWindow();
        for (uint seq = 10; seq < 5000; seq++)
            Assert.Equal(SeqFinding.InOrder, window.Observe(seq, out _));
    }

    [Fact]
    public void A_jump_reports_the_skipped_numbers_and_a_late_arrival_fills_one()
    {
        var window = new SeqWindow();
        window.Observe(1, out _);
        Assert.Equal(SeqFinding.Gap, window.Observe(5, out uint missing));
        Assert.Equal(3u, missing);
        Assert.Equal(SeqFinding.LateFill, window.Observe(3, out _));
        Assert.Equal(SeqFinding.Duplicate, window.Observe(3, out _));
        Assert.Equal(SeqFinding.Duplicate, window.Observe(5, out _));
        Assert.Equal(SeqFinding.Duplicate, window.Observe(1, out _));
        Assert.Equal(SeqFinding.InOrder, window.Observe(6, out _));
    }

    [Fact]
    public void The_counter_wraps_at_two_to_the_32()
    {
        var window = new SeqWindow();
        window.Observe(uint.MaxValue - 1, out _);
        Assert.Equal(SeqFinding.InOrder, window.Observe(uint.MaxValue, out _));
        Assert.Equal(SeqFinding.InOrder, window.Observe(0, out _));
        Assert.Equal(SeqFinding.Gap, window.Observe(3, out uint missing));
        Assert.Equal(2u, missing);
        Assert.Equal(SeqFinding.Duplicate, window.Observe(uint.MaxValue, out _));
        Assert.Equal(SeqFinding.LateFill, window.Observe(2, out _));
    }

    [Fact]
    public void Going_back_beyond_the_window_is_a_restart_and_tracking_goes_on_from_there()
    {
        var window = new SeqWindow();
        for (uint seq = 0; seq < 3000; seq++) window.Observe(seq, out _);
        Assert.Equal(SeqFinding.Reset, window.Observe(0, out _));
        Assert.Equal(SeqFinding.InOrder, window.Observe(1, out _));
        Assert.Equal(SeqFinding.Duplicate, window.Observe(0, out _));
    }

    [Fact]
    public void A_number_that_left_the_window_ring_is_not_mistaken_for_a_duplicate()
    {
        var window = new SeqWindow();
        window.Observe(0, out _);
        Assert.Equal(SeqFinding.Gap, window.Observe(SeqWindow.Size + 10, out uint missing));
        Assert.Equal((uint)SeqWindow.Size + 9, missing);
        Assert.Equal(SeqFinding.LateFill, window.Observe(SeqWindow.Size + 5, out _));
        Assert.Equal(SeqFinding.LateFill, window.Observe(20, out _)); // same ring slot as 0 + Size + 20: must have been cleared
    }
}
