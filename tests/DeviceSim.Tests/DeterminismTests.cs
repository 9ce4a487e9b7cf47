namespace DeviceSim.Tests;

public class DeterminismTests
{
    [Fact]
    public async Task Same_seed_gives_byte_identical_output()
    {
        var first = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "6h", faults: "0.02", batch: 2));
        var second = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "6h", faults: "0.02", batch: 2));

        Assert.True(first.FileBytes.Length > 100_000);
        Assert.Equal(first.FileBytes, second.FileBytes);
    }

    [Fact]
    public async Task Another_seed_gives_other_output()
    {
        var first = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "2h", seed: 1));
        var second = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "2h", seed: 2));

        Assert.NotEqual(first.FileBytes, second.FileBytes);
    }
}
