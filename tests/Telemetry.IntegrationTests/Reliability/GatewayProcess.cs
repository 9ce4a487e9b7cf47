using System.Diagnostics;
using System.Runtime.InteropServices;
using Telemetry.IntegrationTests.Services;

namespace Telemetry.IntegrationTests.Reliability;

/// <summary>The gateway as a separate process (the published dll in this test's output), so a test can kill -9 it.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private Process? _process;
    private long _peakRssKb;
    private readonly CancellationTokenSource _sampling = new();

    private GatewayProcess(Dictionary<string, string> environment, string workDirectory)
    {
        _environment = environment;
        WorkDirectory = workDirectory;
        _ = SampleRssAsync(_sampling.Token);
    }

    public string WorkDirectory { get; }
    public string LogPath => Path.Combine(WorkDirectory, "gateway.log");
    public string SpoolDirectory => Path.Combine(WorkDirectory, "spool");
    public string DeadLetterPath => Path.Combine(WorkDirectory, "dead-letter", "dead-letter.jsonl");
    /// <summary>Highest VmHWM seen across this gateway's runs, in MB.</summary>
    public double PeakRssMb => Interlocked.Read(ref _peakRssKb) / 1024.0;
    public int Runs { get; private set; }

    public static async Task<GatewayProcess> StartAsync(int mqttPort, Uri influxUrl, string database, IReadOnlyDictionary<string, string>? extra = null)
    {
        var work = Directory.CreateTempSubdirectory("gateway-process-").FullName;
        var environment = new Dictionary<string, string>
        {
            ["Mqtt__Port"] = mqttPort.ToString(),
            ["Mqtt__ClientId"] = $"gw-{database}",
            ["Influx__Url"] = influxUrl.ToString(),
            ["Influx__Database"] = database,
            ["Batching__FlushIntervalMs"] = "200",
            ["DeadLetter__Directory"] = Path.Combine(work, "dead-letter"),
            ["Spool__Directory"] = Path.Combine(work, "spool"),
            ["Spool__RetryBudgetMs"] = "2000",
            ["Gateway__StatsIntervalSeconds"] = "2",
            ["Influx__MaxRetryDelayMs"] = "2000",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) environment[key] = value;
        var gateway = new GatewayProcess(environment, work);
        await gateway.StartAgainAsync();
        return gateway;
    }

    public async Task StartAgainAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "telemetry-gateway.dll");
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            WorkingDirectory = WorkDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment) info.Environment[key] = value;
        info.Environment["Logging__Console__FormatterName"] = "simple";
        var log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        await log.WriteLineAsync($"==== run {++Runs} at {DateTime.UtcNow:O}");
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitForLogAsync("Subscribed to", TimeSpan.FromSeconds(30), Runs);
    }

    /// <summary>Waits until the current run's log contains <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout, int? run = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!CurrentRunLog(run ?? Runs).Contains(text, StringComparison.Ordinal))
        {
            if (_process is { HasExited: true }) throw new InvalidOperationException($"gateway exited ({_process.ExitCode}):\n{Tail()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gateway log has no '{text}' after {timeout}:\n{Tail()}");
            await Task.Delay(100);
        }
    }

    public string Log()
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private string CurrentRunLog(int run)
    {
        var log = Log();
        int at = log.IndexOf($"==== run {run} at", StringComparison.Ordinal);
        return at < 0 ? "" : log[at..];
    }

    public string Tail(int lines = 40) => string.Join('\n', Log().Split('\n').TakeLast(lines));

    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit();
    }

    /// <summary>SIGTERM, as systemd or docker stop sends; waits for the process to exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (_process is null || _process.HasExited) return _process?.ExitCode ?? 0;
        _ = SysKill(_process.Id, 15);
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    private async Task SampleRssAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (_process is { HasExited: false } p)
                {
                    var line = File.ReadLines($"/proc/{p.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                    if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kb) && kb > _peakRssKb)
                        Interlocked.Exchange(ref _peakRssKb, kb);
                }
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException) { break; }
            catch (IOException) { }
            catch (InvalidOperationException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sampling.CancelAsync();
        if (_process is { HasExited: false }) Kill();
        _process?.Dispose();
        if (Environment.GetEnvironmentVariable("TELEMETRY_KEEP_SERVER_DIRS") != "1")
            try { Directory.Delete(WorkDirectory, recursive: true); } catch (IOException) { }
    }
}
