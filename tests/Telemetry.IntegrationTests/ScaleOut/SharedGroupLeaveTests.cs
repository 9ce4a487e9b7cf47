using System.Diagnostics;
using MQTTnet;
using Telemetry.IntegrationTests.Reliability;
using Telemetry.IntegrationTests.Services;
using Xunit.Abstractions;

namespace Telemetry.IntegrationTests.ScaleOut;

/// <summary>
/// Scale-in against a real mosquitto: gateways that stop (SIGTERM) leave their shared subscription cleanly, so a
/// second group receives the whole stream and nothing is parked in the first group's sessions; and a member that
/// was killed has its parked share written by <c>telemetry-gateway mqtt drain-session</c>.
/// </summary>
[Collection("reliability")]
public sealed class SharedGroupLeaveTests(ITestOutputHelper output)
{
    private const string Filter = "$share/leave/fleet/+/+/+/+";

    private static (string Topic, string Payload) Sample(long start, int i) =>
        ($"fleet/bkk/emoto/EM-{i % 50:D4}/telemetry", $$"""{"ts":{{start + i}},"seq":{{i}},"speed_kmh":{{i % 120}}.5}""");

    private static Task<GatewayProcess> MemberAsync(int mqttPort, Uri influx, string db, string clientId) =>
        GatewayProcess.StartAsync(mqttPort, influx, db, new Dictionary<string, string>
        {
            ["Mqtt__ClientId"] = clientId,
            ["Mqtt__TopicFilter"] = Filter,
        });

    [Fact]
    public async Task A_group_stopped_with_sigterm_leaves_nothing_parked_for_the_next_group()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "leave";
        const int perPhase = 4000;
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
        await using var publisher = new ResilientPublisher(mosquitto.Port);

        var first = new[] { await MemberAsync(mosquitto.Port, influx.Url, db, "gw-first-0"), await MemberAsync(mosquitto.Port, influx.Url, db, "gw-first-1") };
        await publisher.PublishManyAsync(perPhase, i => Sample(start, i));
        await influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", perPhase, TimeSpan.FromSeconds(60));
        foreach (var member in first)
        {
            Assert.Equal(0, await member.TerminateAsync(TimeSpan.FromSeconds(40)));
            Assert.Contains("Left $share/leave/fleet/+/+/+/+", member.Log());
        }

        // A scale-in or a redeploy under new client ids: the departed members must not be dealt a share any more.
        var second = new[] { await MemberAsync(mosquitto.Port, influx.Url, db, "gw-second-0"), await MemberAsync(mosquitto.Port, influx.Url, db, "gw-second-1") };
        await publisher.PublishManyAsync(perPhase, i => Sample(start, perPhase + i));
        long stored = await influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", 2 * perPhase, TimeSpan.FromSeconds(60));
        output.WriteLine($"stored {stored} of {2 * perPhase}");
        Assert.Equal(2 * perPhase, stored);
        foreach (var member in second) await member.DisposeAsync();

        // Nothing parked: the first group's sessions are gone (a session would hold their share).
        foreach (var clientId in new[] { "gw-first-0", "gw-first-1" })
            Assert.False(await SessionPresentAsync(mosquitto.Port, clientId), $"session {clientId} is still there");
        foreach (var member in first) await member.DisposeAsync();
    }

    [Fact]
    public async Task Drain_session_writes_what_was_parked_for_a_killed_member_and_ends_its_session()
    {
        await using var mosquitto = await MosquittoServer.StartAsync();
        await using var influx = await InfluxServer.StartAsync();
        const string db = "drain_session";
        const int total = 4000;
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
        await using var publisher = new ResilientPublisher(mosquitto.Port);

        await using var crashed = await MemberAsync(mosquitto.Port, influx.Url, db, "gw-crashed");
        await using var survivor = await MemberAsync(mosquitto.Port, influx.Url, db, "gw-survivor");
        crashed.Kill();
        await publisher.PublishManyAsync(total, i => Sample(start, i));
        await Task.Delay(3000);
        long beforeDrain = (await influx.QueryAsync(db, "SELECT COUNT(seq) FROM telemetry")).Count();
        output.WriteLine($"stored before drain-session: {beforeDrain} of {total}");
        Assert.True(beforeDrain < total, "mosquitto dealt the killed member nothing: the test does not test the drain");

        var (exitCode, text) = await DrainSessionAsync(mosquitto.Port, influx.Url, db, "gw-crashed");
        output.WriteLine(text);
        Assert.True(exitCode == 0, text);
        Assert.Contains("session ended", text);
        Assert.Equal(total, await influx.WaitForCountAsync(db, "SELECT COUNT(seq) FROM telemetry", total, TimeSpan.FromSeconds(30)));
        Assert.False(await SessionPresentAsync(mosquitto.Port, "gw-crashed"));
    }

    /// <summary>Whether the broker still holds a session for <paramref name="clientId"/> (the probe itself leaves none).</summary>
    private static async Task<bool> SessionPresentAsync(int port, string clientId)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithCleanStart(false).WithSessionExpiryInterval(0).Build());
        await client.DisconnectAsync();
        return result.IsSessionPresent;
    }

    private static async Task<(int ExitCode, string Output)> DrainSessionAsync(int mqttPort, Uri influx, string db, string clientId)
    {
        var work = Directory.CreateTempSubdirectory("drain-session-").FullName;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "telemetry-gateway.dll"), "mqtt", "drain-session", "--client-id", clientId, "--timeout", "60" })
            info.ArgumentList.Add(argument);
        info.Environment["Mqtt__Port"] = mqttPort.ToString();
        info.Environment["Mqtt__TopicFilter"] = Filter;
        info.Environment["Influx__Url"] = influx.ToString();
        info.Environment["Influx__Database"] = db;
        info.Environment["Batching__FlushIntervalMs"] = "200";
        info.Environment["DeadLetter__Directory"] = Path.Combine(work, "dead-letter");
        info.Environment["Spool__Directory"] = Path.Combine(work, "spool");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
