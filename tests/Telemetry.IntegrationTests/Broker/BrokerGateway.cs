using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Telemetry.Gateway.Broker;
using Telemetry.Gateway.Devices;
using Telemetry.Gateway.Hosting;
using Telemetry.Gateway.Sources;
using Telemetry.IntegrationTests.Services;
using Telemetry.Pipeline.Counters;
using Telemetry.Pipeline.DeadLetters;

namespace Telemetry.IntegrationTests.Broker;

/// <summary>The real gateway in embedded-broker mode, in this process, with a device registry of its own and a real influxd.</summary>
internal sealed class BrokerGateway : IAsyncDisposable
{
    private readonly IHost _host;

    private BrokerGateway(IHost host, string directory, int plainPort, int tlsPort, IReadOnlyDictionary<string, string> passwords)
    {
        _host = host;
        Directory = directory;
        PlainPort = plainPort;
        TlsPort = tlsPort;
        Passwords = passwords;
    }

    public string Directory { get; }
    public int PlainPort { get; }
    public int TlsPort { get; }
    public string RegistryPath => Path.Combine(Directory, "devices.json");
    /// <summary>Device id → its password, as printed once by the devices command.</summary>
    public IReadOnlyDictionary<string, string> Passwords { get; }
    public BrokerCounters Broker => _host.Services.GetRequiredService<BrokerCounters>();
    public PipelineCounters Counters => _host.Services.GetRequiredService<PipelineCounters>();
    public IMessageSource Source => _host.Services.GetRequiredService<IMessageSource>();

    /// <param name="devices">(id, site, kind) of each registered device, each given a fresh password</param>
    /// <param name="tls">a TLS listener with these certificates (and device certificates accepted)</param>
    /// <param name="entries">more registry entries, written as given (passwords chosen by the test)</param>
    public static async Task<BrokerGateway> StartAsync(Uri influxUrl, string database, IEnumerable<(string Id, string Site, string Kind)> devices,
        TestCertificates? tls = null, IReadOnlyDictionary<string, string?>? extra = null, Action<ILoggingBuilder>? logging = null,
        string? directory = null, IEnumerable<DeviceEntry>? entries = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("broker-gw-").FullName;
        var passwords = new Dictionary<string, string>();
        var registry = new List<DeviceEntry>(entries ?? []);
        foreach (var (id, site, kind) in devices)
        {
            passwords[id] = PasswordHash.NewPassword();
            registry.Add(new DeviceEntry { Id = id, Site = site, Kind = kind, PasswordHash = PasswordHash.Create(passwords[id]) });
        }
        DeviceRegistryFile.Save(Path.Combine(directory, "devices.json"), registry);

        int plainPort = FreePort.Next(), tlsPort = tls is null ? 0 : FreePort.Next();
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Mode"] = "EmbeddedBroker",
            ["Broker:RegistryPath"] = Path.Combine(directory, "devices.json"),
            ["Broker:BindAddress"] = "127.0.0.1",
            ["Broker:Plain:Port"] = plainPort.ToString(),
            ["Influx:Url"] = influxUrl.ToString(),
            ["Influx:Database"] = database,
            ["Batching:FlushIntervalMs"] = "200",
            ["DeadLetter:Directory"] = directory,
            ["Spool:Directory"] = Path.Combine(directory, "spool"),
            ["Sparkplug:SessionFile"] = Path.Combine(directory, "sparkplug", "sessions.log"),
            ["Gateway:StatsIntervalSeconds"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (tls is not null)
        {
            settings["Broker:Tls:Enabled"] = "true";
            settings["Broker:Tls:Port"] = tlsPort.ToString();
            settings["Broker:Tls:CertificateFile"] = tls.ServerCertificateFile;
            settings["Broker:Tls:KeyFile"] = tls.ServerKeyFile;
            settings["Broker:Tls:ClientCaFile"] = tls.CaFile;
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var host = GatewayHost.Build([], settings, logging);
        await host.StartAsync();
        var gateway = new BrokerGateway(host, directory, plainPort, tlsPort, passwords);
        await gateway.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
        return gateway;
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var broker = _host.Services.GetRequiredService<IMessageSource>();
        var deadline = DateTime.UtcNow + timeout;
        while (!broker.State.Ready)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the embedded broker did not start listening");
            await Task.Delay(50);
        }
        // The listener binds in the background after the server reports started.
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", PlainPort);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Waits until InfluxDB has taken <paramref name="points"/> points from this gateway.</summary>
    public async Task WaitForWrittenAsync(long points, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Counters.PointsWritten + Counters.PointsSpooled < points)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"gateway wrote {Counters.PointsWritten} of {points} points (received {Counters.Messages} messages)");
            await Task.Delay(50);
        }
    }

    public string[] DeadLetters()
    {
        var path = Path.Combine(Directory, DeadLetterFile.FileName);
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
