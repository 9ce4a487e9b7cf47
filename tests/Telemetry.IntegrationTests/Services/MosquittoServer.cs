using System.Net.Sockets;
using System.Text;

namespace Telemetry.IntegrationTests.Services;

/// <summary>mosquitto with the repository's config/mosquitto.conf, on a free port of 127.0.0.1, persistence in its temp dir.</summary>
public sealed class MosquittoServer : LocalServer
{
    readonly string? extraConfig;

    MosquittoServer(string? extraConfig) : base("mosquitto") => this.extraConfig = extraConfig;

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string ConfigPath => Path.Combine(TempDirectory, "mosquitto.conf");

    /// <param name="extraConfig">Lines appended to the configuration (after the listener, so listener options apply to it).</param>
    public static Task<MosquittoServer> StartAsync(string? extraConfig = null, CancellationToken ct = default) =>
        StartNewAsync(new MosquittoServer(extraConfig), ct);

    protected override string Executable => "mosquitto";

    protected override IReadOnlyList<string> Arguments => ["-c", ConfigPath];

    protected override void AssignPorts()
    {
        Port = FreePort.Next();
        var template = File.ReadAllText(RepoPaths.Config("mosquitto.conf"));
        File.WriteAllText(ConfigPath, LocalConfig(template, Host, Port, TempDirectory, Environment.UserName, extraConfig));
    }

    protected override async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(Host, Port, ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// The shipped config with its listener and persistence_location replaced (appended if absent), as
    /// scripts/services does. `user` keeps the broker running as the test's user: as root, mosquitto
    /// would otherwise switch to the `mosquitto` user, which cannot write to the test's temp dir.
    /// </summary>
    internal static string LocalConfig(string template, string host, int port, string persistenceDirectory, string user, string? extraConfig)
    {
        string listener = $"listener {port} {host}";
        string persistence = $"persistence_location {persistenceDirectory}/";
        bool listenerWritten = false, persistenceWritten = false;
        var config = new StringBuilder();
        foreach (var line in template.Split('\n'))
        {
            string trimmed = line.TrimStart();
            if (trimmed.StartsWith("listener ", StringComparison.Ordinal))
            {
                if (!listenerWritten)
                    config.AppendLine(listener);
                listenerWritten = true;
            }
            else if (trimmed.StartsWith("persistence_location ", StringComparison.Ordinal))
            {
                if (!persistenceWritten)
                    config.AppendLine(persistence);
                persistenceWritten = true;
            }
            else if (!trimmed.StartsWith("user ", StringComparison.Ordinal))
            {
                config.AppendLine(line.TrimEnd('\r'));
            }
        }
        if (!listenerWritten)
            config.AppendLine(listener);
        if (!persistenceWritten)
            config.AppendLine(persistence);
        config.AppendLine($"user {user}");
        if (extraConfig is not null)
            config.AppendLine(extraConfig);
        return config.ToString();
    }
}
