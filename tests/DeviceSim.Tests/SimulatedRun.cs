using System.Text.Json;
using DeviceSim.Faults;
using DeviceSim.Simulation;

namespace DeviceSim.Tests;

/// <summary>Runs the simulator to a JSON-lines file, the way the CLI does, and reads the file back.</summary>
internal sealed class SimulatedRun
{
    /// <summary>2026-11-25T08:00:00Z (15:00 in Thailand): the end of every simulated span in these tests.</summary>
    public static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeMilliseconds(1795593600000);

    public required RunResult Result { get; init; }
    public required byte[] FileBytes { get; init; }
    public required IReadOnlyList<PublishedLine> Lines { get; init; }

    /// <summary>One publish; <paramref name="Payload"/> is its text, or for a binary payload (protobuf, CBOR) its base64.</summary>
    public sealed record PublishedLine(string Topic, string Payload, bool Retain, byte[] Bytes);

    public static SimulationOptions Options(int emoto = 6, int bus = 1, int truck = 1, int forklift = 2, string span = "24h",
        ulong seed = 7, string? faults = null, int batch = 1, Formats.PayloadFormat format = Formats.PayloadFormat.Json)
    {
        var options = new SimulationOptions
        {
            Format = format,
            Seed = seed,
            SimDay = true,
            SimSpan = Cli.CommandLine.Duration("--sim-span", span),
            SimEnd = End,
            Batch = batch,
            Quiet = true,
        };
        options.Fleet.Counts["emoto"] = emoto;
        options.Fleet.Counts["h2bus"] = bus;
        options.Fleet.Counts["h2truck"] = truck;
        options.Fleet.Counts["h2forklift"] = forklift;
        if (faults is not null) options.Faults = FaultPlan.Parse(faults);
        return options;
    }

    public static async Task<SimulatedRun> RunAsync(SimulationOptions options)
    {
        string path = Path.Combine(Path.GetTempPath(), $"device-sim-test-{Guid.NewGuid():N}.jsonl");
        options.OutFile = path;
        try
        {
            var result = await SimulationRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);
            var bytes = await File.ReadAllBytesAsync(path);
            var lines = File.ReadLines(path).Select(line =>
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                bool binary = root.TryGetProperty("payload_base64", out var base64);
                string payload = binary ? base64.GetString()! : root.GetProperty("payload").GetString()!;
                return new PublishedLine(root.GetProperty("topic").GetString()!, payload, root.GetProperty("retain").GetBoolean(),
                    binary ? base64.GetBytesFromBase64() : System.Text.Encoding.UTF8.GetBytes(payload));
            }).ToList();
            return new SimulatedRun { Result = result, FileBytes = bytes, Lines = lines };
        }
        finally
        {
            File.Delete(path);
        }
    }
}
