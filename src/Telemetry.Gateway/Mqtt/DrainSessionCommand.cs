using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Telemetry.Gateway.Hosting;
using Telemetry.Gateway.Sources;
using Telemetry.Pipeline.Counters;

namespace Telemetry.Gateway.Mqtt;

/// <summary>
/// <c>telemetry-gateway mqtt drain-session --client-id X</c>: takes over the persistent session of a gateway that will not
/// come back (a crashed member of a shared subscription, a replica removed for good), writes what the broker queued for
/// it into InfluxDB, acknowledges it, and ends the session, so the broker deals it nothing more. It runs the gateway
/// with its usual settings (appsettings.json, Section__Key variables: the same Mqtt:TopicFilter as that member) under
/// that client id, and leaves as soon as it is subscribed.
/// </summary>
internal static class DrainSessionCommand
{
    private const string Usage = """
        usage: telemetry-gateway mqtt drain-session --client-id ID [--timeout SECONDS]
          takes over session ID (run it with the settings of the gateway that used it: Mqtt:Host, Mqtt:TopicFilter, Influx:*),
          writes and acknowledges what the broker holds for it, then ends the session. --timeout: how long draining may take (600)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["drain-session", .. var rest])
        {
            error.WriteLine(args.Length == 0 ? "missing command" : $"unknown command 'mqtt {args[0]}'");
            error.WriteLine(Usage);
            return 2;
        }
        if (!TryParse(rest, out string clientId, out int timeoutSeconds, out string problem))
        {
            error.WriteLine(problem);
            error.WriteLine(Usage);
            return 2;
        }
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Mode"] = "Subscriber",
            ["Mqtt:ClientId"] = clientId,
            ["Mqtt:EndSessionOnStop"] = "Always",
            ["Mqtt:LeaveTimeoutSeconds"] = timeoutSeconds.ToString(),
            // Beside a running gateway on this host: no second metrics endpoint on its port.
            ["Observability:ListenUrl"] = "",
            // Not a Sparkplug host: no STATE of its own (it would replace the real host's), no rebirth requests.
            ["Sparkplug:Enabled"] = "false",
        };
        using var host = GatewayHost.Build([], settings);
        var counters = host.Services.GetRequiredService<PipelineCounters>();
        var source = (ReconnectingSubscriber)host.Services.GetRequiredService<IMessageSource>();
        await host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!source.State.Ready && DateTime.UtcNow < deadline) await Task.Delay(50);
        if (!source.State.Ready)
        {
            await host.StopAsync();
            error.WriteLine($"could not connect and subscribe as {clientId} within 30 s ({source.State.Detail}); nothing changed");
            return 1;
        }
        await host.StopAsync();
        output.WriteLine($"session {clientId}: {counters.Messages} messages received, {counters.PointsWritten + counters.PointsSpooled} points stored, " +
            (source.EndsSession ? "session ended" : "session kept (see the log)"));
        return source.EndsSession ? 0 : 1;
    }

    private static bool TryParse(string[] args, out string clientId, out int timeoutSeconds, out string problem)
    {
        clientId = "";
        timeoutSeconds = 600;
        problem = "";
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--client-id" when value is { Length: > 0 }:
                    clientId = value;
                    i++;
                    break;
                case "--timeout" when int.TryParse(value, out timeoutSeconds) && timeoutSeconds is >= 1 and <= 86_400:
                    i++;
                    break;
                default:
                    problem = args[i] is "--client-id" or "--timeout" ? $"{args[i]} needs a value ({(args[i] == "--timeout" ? "1-86400 seconds" : "a client id")})" : $"unexpected argument '{args[i]}'";
                    return false;
            }
        }
        if (clientId.Length == 0) problem = "missing: --client-id";
        return clientId.Length > 0;
    }
}
