using System.Globalization;
using DeviceSim.Cli;
using DeviceSim.Manifest;
using DeviceSim.Simulation;

namespace DeviceSim;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (CommandLine.WantsHelp(args))
        {
            Console.Out.Write(HelpText.Usage);
            return 0;
        }
        SimulationOptions options;
        try
        {
            options = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"device-sim: {e.Message}");
            return 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        try
        {
            var run = options.Load
                ? await LoadRunner.RunAsync(options, Console.Error, cts.Token)
                : await SimulationRunner.RunAsync(options, Console.Error, cts.Token);
            Console.Error.Write(RunSummary.Format(run));
            if (options.Load)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  load         {run.Published:N0} acknowledged in {run.Elapsed.TotalSeconds:0.00} s = {run.Published / Math.Max(run.Elapsed.TotalSeconds, 1e-3):N0} msg/s"));
            }
            if (options.ManifestPath is { } path) ManifestWriter.Write(path, run);
            return run.Failed > 0 ? 1 : 0;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or MQTTnet.Exceptions.MqttCommunicationException
                                       or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"device-sim: {e.Message}");
            return 1;
        }
    }
}
