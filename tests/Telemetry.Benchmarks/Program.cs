using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Telemetry.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Telemetry.Benchmarks -- [--quick | --cpu | --cpu-senml | --cpu-formats | --cpu-study] [BenchmarkDotNet options, e.g. --filter *Telemetry*]</c>.
/// Default: one launch in its own process, 3 warm-up and 10 measured iterations (about 2 minutes on 2 cores).
/// <c>--quick</c>: in-process, 1 warm-up and 3 iterations of 100 ms, in under half a minute: a smoke run, rough figures.
/// <c>--cpu</c>: the decode cases timed by CPU time (see <see cref="CpuTimeRunner"/>), about 3 minutes; <c>--cpu-study</c>: the study's derivation the same way, in half a minute.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--cpu-study"))
        {
            CpuTimeRunner.RunStudy();
            return 0;
        }
        if (args.Contains("--cpu-senml"))
        {
            CpuTimeRunner.RunSenml();
            return 0;
        }
        if (args.Contains("--cpu-formats"))
        {
            CpuTimeRunner.RunFormats();
            return 0;
        }
        if (args.Contains("--cpu"))
        {
            CpuTimeRunner.Run();
            return 0;
        }
        bool quick = args.Contains("--quick");
        var rest = args.Where(a => a != "--quick").ToArray();
        if (!rest.Any(a => a.StartsWith("--filter", StringComparison.Ordinal))) rest = [.. rest, "--filter", "*"];

        var job = quick
            ? Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(1).WithIterationCount(3).WithIterationTime(TimeInterval.FromMilliseconds(100))
            : Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10)
                .WithIterationTime(TimeInterval.FromMilliseconds(250));
        var config = DefaultConfig.Instance
            .AddJob(job.WithId(quick ? "quick" : "short").AsDefault())
            .AddColumn(StatisticColumn.OperationsPerSecond)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
