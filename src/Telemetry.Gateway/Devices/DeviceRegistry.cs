using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telemetry.Gateway.Configuration;

namespace Telemetry.Gateway.Devices;

/// <summary>
/// The registry file held in memory and kept current: a change to the file (seen by a
/// <see cref="FileSystemWatcher"/>, and by a slow poll in case an event is missed) is loaded after a
/// short quiet period. A file that does not parse, e.g. half-written, leaves the previous devices in force.
/// </summary>
internal sealed class DeviceRegistry : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _passwordChecks;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    // After one PBKDF2 success, the same password is recognised by a keyed HMAC: a reconnect storm of
    // a whole fleet then costs microseconds per device instead of a PBKDF2 each. Kept in memory only.
    private readonly ConcurrentDictionary<string, (string PasswordHash, byte[] Mac)> _verified = new(StringComparer.Ordinal);
    private readonly object _reloadGate = new();
    private FrozenDictionary<string, DeviceEntry> _devices = FrozenDictionary<string, DeviceEntry>.Empty;
    private FileSystemWatcher? _watcher;
    private Timer? _timer;
    private (DateTime WriteTime, long Length) _loadedVersion;

    public DeviceRegistry(IOptions<BrokerOptions> options, ILogger<DeviceRegistry> logger)
    {
        _path = options.Value.ResolveRegistryPath();
        _logger = logger;
        _passwordChecks = new SemaphoreSlim(options.Value.MaxConcurrentPasswordChecks);
    }

    /// <summary>Raised after a reload changed the devices.</summary>
    public event Action? Changed;

    public int Count => _devices.Count;
    /// <summary>Devices whose password hash is in the first form (<see cref="PasswordHash.LegacyScheme"/>), as of the last load.</summary>
    public int LegacyPasswordHashes { get; private set; }
    public string Path => _path;

    public DeviceEntry? Find(string id) => _devices.GetValueOrDefault(id);

    /// <summary>Loads the file (throws if it cannot be read or checked) and starts watching it.</summary>
    public void Start()
    {
        Reload(throwOnError: true);
        var directory = System.IO.Path.GetDirectoryName(_path)!;
        _watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler onChange = (_, _) => _timer?.Change(Debounce, Poll);
        _watcher.Changed += onChange;
        _watcher.Created += onChange;
        _watcher.Renamed += (_, _) => _timer?.Change(Debounce, Poll);
        _watcher.EnableRaisingEvents = true;
        _timer = new Timer(_ => Reload(throwOnError: false), null, Poll, Poll);
    }

    /// <summary>The enabled device named <paramref name="id"/> if <paramref name="password"/> is its password; null otherwise.</summary>
    public async ValueTask<DeviceEntry?> AuthenticateAsync(string id, byte[] password, CancellationToken ct)
    {
        var device = Find(id);
        string expected = device is { Enabled: true, PasswordHash.Length: > 0 } ? device.PasswordHash : PasswordHash.Decoy;
        if (device is not null && _verified.TryGetValue(id, out var cached) && cached.PasswordHash == expected
            && CryptographicOperations.FixedTimeEquals(cached.Mac, HMACSHA256.HashData(_cacheKey, password)))
            return device;

        await _passwordChecks.WaitAsync(ct);
        bool matches;
        try
        {
            matches = PasswordHash.Verify(password, expected);
        }
        finally
        {
            _passwordChecks.Release();
        }
        if (!matches || ReferenceEquals(expected, PasswordHash.Decoy)) return null;
        _verified[id] = (expected, HMACSHA256.HashData(_cacheKey, password));
        return device;
    }

    /// <summary>The enabled device named <paramref name="id"/>, for a connection whose client certificate was already verified.</summary>
    public DeviceEntry? FindEnabled(string id) => Find(id) is { Enabled: true } device ? device : null;

    private void Reload(bool throwOnError)
    {
        lock (_reloadGate)
        {
            try
            {
                var info = new FileInfo(_path);
                if (!info.Exists) throw new FileNotFoundException($"{_path} does not exist");
                var version = (info.LastWriteTimeUtc, info.Length);
                if (!throwOnError && version == _loadedVersion) return;
                var devices = DeviceRegistryFile.Load(_path).ToFrozenDictionary(d => d.Id, StringComparer.Ordinal);
                _loadedVersion = version;
                bool changed = !SameDevices(_devices, devices);
                _devices = devices;
                foreach (var id in _verified.Keys)
                    if (!devices.TryGetValue(id, out var d) || !_verified.TryGetValue(id, out var v) || v.PasswordHash != d.PasswordHash)
                        _verified.TryRemove(id, out _);
                if (!changed) return;
                _logger.LogInformation("Device registry {Path}: {Enabled} enabled of {Count} devices", _path,
                    devices.Values.Count(d => d.Enabled), devices.Count);
                int legacy = LegacyPasswordHashes = devices.Values.Count(d => PasswordHash.IsLegacy(d.PasswordHash));
                if (legacy > 0)
                    _logger.LogWarning("Device registry {Path}: {Legacy} devices have a {LegacyScheme} password hash; " +
                        "move them to {Scheme} with 'telemetry-gateway devices rehash' (or reset-password)", _path, legacy,
                        PasswordHash.LegacyScheme, PasswordHash.Scheme);
                if (!throwOnError) Changed?.Invoke();
            }
            catch (Exception e) when (!throwOnError && e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                // Likely caught mid-write; the writer's next change event (or the poll) loads it again.
                _logger.LogWarning("Device registry {Path} not reloaded, previous devices stay in force: {Error}", _path, e.Message);
            }
        }
    }

    private static bool SameDevices(FrozenDictionary<string, DeviceEntry> a, FrozenDictionary<string, DeviceEntry> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (id, device) in a)
            if (!b.TryGetValue(id, out var other) || other with { Updated = null } != device with { Updated = null }) return false;
        return true;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _timer?.Dispose();
        _passwordChecks.Dispose();
    }
}
