using Telemetry.Pipeline.Logging;

namespace Telemetry.Pipeline.Tests;

public class LogThrottleTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Lines_beyond_the_window_are_held_back_and_counted_with_the_next_one_allowed()
    {
        var time = new ManualTime();
        var throttle = new LogThrottle(TimeSpan.FromMinutes(1), 2, time);

        Assert.True(throttle.TryTake(out int held));
        Assert.Equal(0, held);
        Assert.True(throttle.TryTake(out _));
        for (int i = 0; i < 5; i++) Assert.False(throttle.TryTake(out _));

        time.Now += TimeSpan.FromSeconds(59);
        Assert.False(throttle.TryTake(out _));
        time.Now += TimeSpan.FromSeconds(1);
        Assert.True(throttle.TryTake(out held));
        Assert.Equal(6, held);
        Assert.True(throttle.TryTake(out held));
        Assert.Equal(0, held);
    }
}
