namespace DeviceSim.Tests;

public class DeterminismTests
{
    [Theory]
    [InlineData(Formats.PayloadFormat.Json)]
    [InlineData(Formats.PayloadFormat.Sparkplug)]
    [InlineData(Formats.PayloadFormat.Senml)]
    [InlineData(Formats.PayloadFormat.SenmlCbor)]
    public async Task Same_seed_gives_byte_identical_output(Formats.PayloadFormat format)
    {
        var first = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "6h", faults: "0.02", batch: 2, format: format));
        var second = await SimulatedRun.RunAsync(SimulatedRun.Options(span: "6h", faults: "0.02", batch: 2, format: format));

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
