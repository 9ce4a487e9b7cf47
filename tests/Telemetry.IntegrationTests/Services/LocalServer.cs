using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Telemetry.IntegrationTests.Services;

/// <summary>
/// A real server process run by the tests: bound to 127.0.0.1, data and log in its own temp dir,
/// output appended to a log file (a pipe nobody reads would eventually block the server).
/// Killed and its dir deleted on dispose, and also when the test process exits.
/// </summary>
public abstract class LocalServer : IAsyncDisposable
{
    /// <summary>True when <paramref name="probe"/> answers <paramref name="expected"/> within 2 s.</summary>
    protected static async Task<bool> AnswersAsync(HttpClient http, Uri probe, System.Net.HttpStatusCode expected, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var response = await http.GetAsync(probe, timeout.Token);
            return response.StatusCode == expected;
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    const int SignalTerminate = 15;
    const int StartAttempts = 3;
    static readonly TimeSpan startTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan stopTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan pollInterval = TimeSpan.FromMilliseconds(25);

    // Set TELEMETRY_KEEP_SERVER_DIRS=1 to keep data and logs of the servers after the tests for a post-mortem.
    static readonly bool keepDirectories = Environment.GetEnvironmentVariable("TELEMETRY_KEEP_SERVER_DIRS") == "1";

    static readonly ConcurrentDictionary<LocalServer, bool> undisposed = new();

    Process? process;
    bool disposed;

    static LocalServer()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in undisposed.Keys)
            {
                try
                {
                    server.KillAndDeleteDirectory();
                }
                catch (Exception)
                {
                    // Best effort: the process is going away; try the other servers.
                }
            }
        };
    }

    protected LocalServer(string name)
    {
        Name = name;
        TempDirectory = Directory.CreateTempSubdirectory($"telemetry-{name}-").FullName;
        LogPath = Path.Combine(TempDirectory, $"{name}.log");
        undisposed[this] = true;
    }

    /// <summary>Short name used in file names and messages, e.g. "mosquitto".</summary>
    public string Name { get; }

    /// <summary>The server's temp dir: configuration, data and log.</summary>
    public string TempDirectory { get; }

    /// <summary>Everything the server wrote to stdout and stderr, across restarts.</summary>
    public string LogPath { get; }

    public bool IsRunning => process is { HasExited: false };

    /// <summary>Process id while running.</summary>
    public int? ProcessId => IsRunning ? process!.Id : null;

    /// <summary>How long the last start took until the server answered.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>Binary name, resolved by <see cref="ServiceInstaller.Locate"/>.</summary>
    protected abstract string Executable { get; }

    protected abstract IReadOnlyList<string> Arguments { get; }

    /// <summary>Picks new ports and writes whatever configuration depends on them.</summary>
    protected abstract void AssignPorts();

    /// <summary>True once the server answers requests.</summary>
    protected abstract Task<bool> IsReadyAsync(CancellationToken ct);

    /// <summary>Starts <paramref name="server"/> for the first time; if that fails nothing is left running.</summary>
    protected static async Task<TServer> StartNewAsync<TServer>(TServer server, CancellationToken ct) where TServer : LocalServer
    {
        try
        {
            await server.StartFirstTimeAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// First start. A free port can be taken by someone else between <see cref="FreePort.Next"/>
    /// and the server's bind, so a start that fails with "address already in use" is retried on new ports.
    /// </summary>
    protected async Task StartFirstTimeAsync(CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            AssignPorts();
            long logLengthBefore = LogLength();
            try
            {
                await LaunchAsync(ct);
                return;
            }
            catch (InvalidOperationException) when (attempt < StartAttempts && LogSince(logLengthBefore).Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    /// <summary>Starts the stopped or killed server again with the same ports, configuration and data.</summary>
    public Task StartAgainAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (IsRunning)
            throw new InvalidOperationException($"{Name} is already running.");
        return LaunchAsync(ct);
    }

    /// <summary>Graceful stop: SIGTERM, then waits for the exit (servers save their state on SIGTERM).</summary>
    public async Task StopAsync()
    {
        if (process is null || process.HasExited)
            return;
        if (SendSignal(process.Id, SignalTerminate) != 0 && !process.HasExited)
            throw new InvalidOperationException($"Could not send SIGTERM to {Name} (pid {process.Id}): errno {Marshal.GetLastPInvokeError()}.");
        using var timeout = new CancellationTokenSource(stopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new InvalidOperationException($"{Name} did not exit within {stopTimeout} of SIGTERM and was killed.\n{LogTail()}");
        }
        ReleaseProcess();
    }

    /// <summary>Crash: SIGKILL, nothing saved.</summary>
    public void Kill()
    {
        if (process is null)
            return;
        try
        {
            if (!process.HasExited)
                process.Kill();
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        ReleaseProcess();
    }

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string LogTail(int lines = 40)
    {
        if (!File.Exists(LogPath))
            return $"(no log at {LogPath})";
        var tail = ReadLogShared(0).Split('\n').TakeLast(lines);
        return $"--- last lines of {LogPath} ---\n{string.Join('\n', tail)}";
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
            return;
        disposed = true;
        KillAndDeleteDirectory();
        undisposed.TryRemove(this, out _);
        await DisposeResourcesAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the subclass holds (e.g. an HttpClient); the process is gone by then.</summary>
    protected virtual ValueTask DisposeResourcesAsync() => ValueTask.CompletedTask;

    async Task LaunchAsync(CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = TempDirectory };
        // exec: the pid we hold is the server's own, so signals reach it and not a wrapper shell.
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1");
        startInfo.ArgumentList.Add("sh");
        startInfo.ArgumentList.Add(LogPath);
        startInfo.ArgumentList.Add(ServiceInstaller.Locate(Executable));
        foreach (var argument in Arguments)
            startInfo.ArgumentList.Add(argument);

        var stopwatch = Stopwatch.StartNew();
        process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {Name}.");
        while (true)
        {
            if (process.HasExited)
            {
                int exitCode = process.ExitCode;
                ReleaseProcess();
                throw new InvalidOperationException($"{Name} exited with code {exitCode} during startup.\n{LogTail()}");
            }
            if (await IsReadyAsync(ct))
            {
                LastStartDuration = stopwatch.Elapsed;
                return;
            }
            if (stopwatch.Elapsed > startTimeout)
            {
                Kill();
                throw new InvalidOperationException($"{Name} did not answer within {startTimeout}.\n{LogTail()}");
            }
            await Task.Delay(pollInterval, ct);
        }
    }

    void ReleaseProcess()
    {
        process?.Dispose();
        process = null;
    }

    void KillAndDeleteDirectory()
    {
        Kill();
        if (!keepDirectories)
        {
            try
            {
                Directory.Delete(TempDirectory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (IOException)
            {
                // A file still being written by a dying child; the temp dir is cleaned by the OS eventually.
            }
        }
    }

    long LogLength() => File.Exists(LogPath) ? new FileInfo(LogPath).Length : 0;

    string LogSince(long offset) => File.Exists(LogPath) ? ReadLogShared(offset) : "";

    string ReadLogShared(long offset)
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);
}
