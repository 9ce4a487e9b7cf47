using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Sparkplug;
using Telemetry.Gateway.Hosting;
using Telemetry.Gateway.Sources;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.DeadLetters;

namespace Telemetry.IntegrationTests.Gateway;

/// <summary>The real gateway host, in this process, pointed at test servers.</summary>
internal sealed class RunningGateway : IAsyncDisposable
{
    private readonly IHost _host;

    private RunningGateway(IHost host, string deadLetterDirectory)
    {
        _host = host;
        DeadLetterDirectory = deadLetterDirectory;
    }

    public string DeadLetterDirectory { get; }
    public PipelineCounters Counters => _host.Services.GetRequiredService<PipelineCounters>();
    public SparkplugCounters SparkplugCounters => _host.Services.GetRequiredService<PayloadDecoder>().Sparkplug.Counters;
    public IMessageSource Source => _host.Services.GetRequiredService<IMessageSource>();
    public Telemetry.Pipeline.Quality.QualityTracker Quality => _host.Services.GetRequiredService<Telemetry.Pipeline.Quality.QualityTracker>();
    public string DeadLetterPath => Path.Combine(DeadLetterDirectory, DeadLetterFile.FileName);

    public static async Task<RunningGateway> StartAsync(int mqttPort, Uri influxUrl, string database,
        IReadOnlyDictionary<string, string?>? extra = null, string? clientId = null, string? deadLetterDirectory = null)
    {
        deadLetterDirectory ??= Directory.CreateTempSubdirectory("gateway-dlq-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Mqtt:Port"] = mqttPort.ToString(),
            ["Mqtt:ClientId"] = clientId ?? $"gw-{database}",
            ["Influx:Url"] = influxUrl.ToString(),
            ["Influx:Database"] = database,
            ["Influx:Bucket"] = database,
            ["Batching:FlushIntervalMs"] = "200",
            ["DeadLetter:Directory"] = deadLetterDirectory,
            ["Spool:Directory"] = Path.Combine(deadLetterDirectory, "spool"),
            ["Sparkplug:SessionFile"] = Path.Combine(deadLetterDirectory, "sparkplug", "sessions.log"),
            // Tests of the fleet stream count messages exactly: the host's own STATE (and other hosts' retained ones) would add to them.
            // Sparkplug tests turn it on.
            ["Sparkplug:Enabled"] = "false",
            ["Gateway:StatsIntervalSeconds"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var host = GatewayHost.Build([], settings);
        await host.StartAsync();
        var gateway = new RunningGateway(host, deadLetterDirectory);
        try
        {
            await gateway.WaitUntilConnectedAsync(TimeSpan.FromSeconds(20));
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
        return gateway;
    }

    private async Task WaitUntilConnectedAsync(TimeSpan timeout)
    {
        var source = _host.Services.GetRequiredService<IMessageSource>();
        var deadline = DateTime.UtcNow + timeout;
        while (!source.State.Ready)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("gateway did not connect to the broker");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the gateway has acknowledged <paramref name="messages"/> messages.</summary>
    public async Task WaitForAckedAsync(long messages, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Counters.MessagesAcked < messages)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"gateway acked {Counters.MessagesAcked} of {messages} messages (received {Counters.Messages})");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until at least <paramref name="messages"/> messages arrived and every one that arrived is acknowledged (its points stored, its dead letters flushed).</summary>
    public async Task WaitUntilSettledAsync(long messages, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Counters.Messages < messages || Counters.MessagesAcked < Counters.Messages)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"gateway received {Counters.Messages} messages (waiting for {messages}), acked {Counters.MessagesAcked}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until every message received so far is acknowledged and none has come for <paramref name="quiet"/>: for a
    /// stream whose exact count is not known beforehand (a Sparkplug host also receives its own STATE and NCMDs).
    /// </summary>
    public async Task WaitUntilSettledAsync(TimeSpan quiet, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long last = -1;
        var stableSince = DateTime.UtcNow;
        while (true)
        {
            long received = Counters.Messages;
            if (received != last || Counters.MessagesAcked != received) (last, stableSince) = (received, DateTime.UtcNow);
            else if (DateTime.UtcNow - stableSince >= quiet) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"gateway acked {Counters.MessagesAcked} of {Counters.Messages} received messages");
            await Task.Delay(50);
        }
    }

    public string[] DeadLetters() => File.Exists(DeadLetterPath)
        ? ReadShared(DeadLetterPath).Split('\n', StringSplitOptions.RemoveEmptyEntries)
        : [];

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
