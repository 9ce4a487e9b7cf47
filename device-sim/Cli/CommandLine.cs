using System.Globalization;
using System.Text.Json;
using DeviceSim.Faults;
using DeviceSim.Fleet;
using DeviceSim.Simulation;

namespace DeviceSim.Cli;

/// <summary>A flag was wrong: the message says which and why.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Parses the command line (and an optional JSON config whose keys are flag names) into options.</summary>
public static class CommandLine
{
    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?" or "help");

    public static SimulationOptions Parse(string[] args)
    {
        var options = new SimulationOptions();
        bool fleetGiven = false, durationGiven = false, connectionsGiven = false;
        var expanded = ExpandConfig(args);
        for (int i = 0; i < expanded.Count; i++)
        {
            string flag = expanded[i];
            string Value()
            {
                if (i + 1 >= expanded.Count || (expanded[i + 1].StartsWith("--", StringComparison.Ordinal)))
                    throw new UsageException($"{flag} needs a value");
                return expanded[++i];
            }
            switch (flag)
            {
                case "--emoto" or "--h2bus" or "--h2truck" or "--h2forklift":
                    options.Fleet.Counts[flag[2..]] = Int(flag, Value(), 0, 100_000);
                    fleetGiven = true;
                    break;
                case "--sites":
                    options.Fleet.Sites = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(n => Site.Find(n) ?? throw new UsageException(
                            $"--sites: unknown site '{n}'; known: {string.Join(", ", Site.Known.Select(s => s.Name))}")).ToList();
                    if (options.Fleet.Sites.Count == 0) throw new UsageException("--sites needs at least one site");
                    break;
                case "--seed": options.Seed = ulong.TryParse(Value(), out var seed) ? seed : throw new UsageException("--seed needs a non-negative integer"); break;
                case "--sim-day": options.SimDay = true; break;
                case "--sim-span": options.SimSpan = Duration(flag, Value()); options.SimDay = true; break;
                case "--duration": options.Duration = Duration(flag, Value()); durationGiven = true; break;
                case "--sim-end": options.SimEnd = Time(flag, Value()); break;
                case "--no-pacing": options.NoPacing = true; break;
                case "--sample-period": options.SamplePeriod = Duration(flag, Value(), TimeSpan.FromSeconds(1)); break;
                case "--idle-period": options.IdlePeriod = Duration(flag, Value(), TimeSpan.FromSeconds(1)); break;
                case "--batch": options.Batch = Int(flag, Value(), 1, 1000); break;
                case "--format":
                    string format = Value();
                    options.Format = Formats.PayloadFormats.Parse(format) ?? throw new UsageException(
                        $"--format: unknown format '{format}'; known: {string.Join(", ", Formats.PayloadFormats.All.Select(Formats.PayloadFormats.Name))}");
                    break;
                case "--out": options.OutFile = Value(); break;
                case "--broker": options.Broker = Value(); break;
                case "--qos": options.Qos = Int(flag, Value(), 0, 2); break;
                case "--connections":
                    string c = Value();
                    options.Connections = c == "per-vehicle" ? null : Int(flag, c, 1, 10_000);
                    connectionsGiven = true;
                    break;
                case "--inflight": options.Inflight = Int(flag, Value(), 1, 65_535); break;
                case "--reconnect-timeout": options.ReconnectTimeout = Duration(flag, Value(), TimeSpan.FromSeconds(1)); break;
                case "--client-prefix": options.ClientPrefix = Value(); break;
                case "--username": options.Username = Value(); break;
                case "--password": options.Password = Value(); break;
                case "--credentials": options.Credentials = Credentials(flag, Value()); break;
                case "--faults":
                    try { options.Faults = FaultPlan.Parse(Value()); }
                    catch (ArgumentException e) { throw new UsageException(e.Message); }
                    break;
                case "--load": options.Load = true; break;
                case "--messages": options.Messages = Int(flag, Value(), 1, int.MaxValue); break;
                case "--manifest": options.ManifestPath = Value(); break;
                case "--quiet" or "-q": options.Quiet = true; break;
                case "--progress-interval": options.ProgressInterval = Duration(flag, Value(), TimeSpan.FromMilliseconds(100)); break;
                default:
                    throw new UsageException(flag.StartsWith('-') ? $"unknown flag {flag} (see --help)" : $"unexpected argument '{flag}' (see --help)");
            }
        }

        if (!fleetGiven)
        {
            // A small mixed fleet, enough to see every behaviour.
            options.Fleet.Counts[VehicleKind.EMoto] = options.Load ? 100 : 10;
            options.Fleet.Counts[VehicleKind.H2Bus] = options.Load ? 0 : 2;
            options.Fleet.Counts[VehicleKind.H2Truck] = options.Load ? 0 : 2;
            options.Fleet.Counts[VehicleKind.H2Forklift] = options.Load ? 0 : 4;
        }
        if (options.Fleet.Total == 0) throw new UsageException("the fleet is empty: give --emoto, --h2bus, --h2truck or --h2forklift a count above 0");
        if (options.SimDay && !durationGiven) options.Duration = TimeSpan.FromMinutes(3);
        if (options.Load && options.SimDay) throw new UsageException("--load and --sim-day do not go together: load mode stamps ts at publish time");
        bool sparkplug = options.Format == Formats.PayloadFormat.Sparkplug;
        if (sparkplug && options.Connections is not null)
            throw new UsageException("--connections: in --format sparkplug every edge node has its own connection (it carries the node's NDEATH as its will); drop --connections");
        if (options.Load && options.Connections is null && !connectionsGiven && !sparkplug) options.Connections = 8;
        try { _ = options.Faults.For(options.Format); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        if (options.Credentials is not null && options.Connections is not null)
            throw new UsageException("--credentials needs one connection per vehicle (each logs in as itself): drop --connections");
        if (options.Load && options.OutFile is null && options.Inflight == 20) options.Inflight = 100;
        if (options.SimDay && options.SimSpan > TimeSpan.FromDays(6.5))
            throw new UsageException("--sim-span must stay under 6.5 days: the gateway rejects ts older than 7 days");
        if (options.OutFile is null && options.SimEnd is { } end && end > DateTimeOffset.UtcNow.AddMinutes(3))
            throw new UsageException("--sim-end is more than 3 minutes ahead of now: the gateway rejects ts over 5 minutes in the future");
        if (options.OutFile is null) _ = Publishing.MqttSink.ParseBroker(options.Broker);
        return options;
    }

    private static List<string> ExpandConfig(string[] args)
    {
        var result = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] != "--config")
            {
                result.Add(args[i]);
                continue;
            }
            if (i + 1 >= args.Length) throw new UsageException("--config needs a file");
            string path = args[++i];
            if (!File.Exists(path)) throw new UsageException($"--config: {path} not found");
            // Config first, so flags on the command line override it.
            result.InsertRange(0, ReadConfig(path));
        }
        return result;
    }

    /// <summary>A config file is a JSON object of flag names to values: <c>{"emoto": 20, "sim-day": true, "faults": "0.01"}</c>.</summary>
    private static IEnumerable<string> ReadConfig(string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new UsageException($"--config {path}: not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new UsageException($"--config {path}: expected a JSON object of flag names");
            var args = new List<string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                string flag = "--" + p.Name.TrimStart('-');
                switch (p.Value.ValueKind)
                {
                    case JsonValueKind.True: args.Add(flag); break;
                    case JsonValueKind.False or JsonValueKind.Null: break;
                    case JsonValueKind.Number: args.Add(flag); args.Add(p.Value.GetRawText()); break;
                    case JsonValueKind.String: args.Add(flag); args.Add(p.Value.GetString()!); break;
                    case JsonValueKind.Array:
                        args.Add(flag);
                        args.Add(string.Join(",", p.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())));
                        break;
                    default: throw new UsageException($"--config {path}: '{p.Name}' must be a number, string, bool or array");
                }
            }
            return args;
        }
    }

    private static int Int(string flag, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{flag} needs an integer from {min} to {max}, not '{text}'");

    /// <summary>Durations like 500ms, 90s, 3m, 24h, 1h30m, 2d, or a bare number of seconds.</summary>
    public static TimeSpan Duration(string flag, string text, TimeSpan? minimum = null)
    {
        var total = TimeSpan.Zero;
        int i = 0;
        bool any = false;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (start == i || !double.TryParse(text[start..i], NumberStyles.Float, CultureInfo.InvariantCulture, out double n)) goto Bad;
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
            total += text[unitStart..i] switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" or "" => TimeSpan.FromSeconds(n),
                "m" or "min" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => throw new UsageException($"{flag}: unknown unit '{text[unitStart..i]}' in '{text}' (use ms, s, m, h, d)"),
            };
            any = true;
        }
        if (!any || total <= TimeSpan.Zero) goto Bad;
        if (minimum is { } min && total < min) throw new UsageException($"{flag} must be at least {min.TotalSeconds} s");
        return total;
    Bad:
        throw new UsageException($"{flag} needs a duration like 90s, 3m, 24h or 1h30m, not '{text}'");
    }

    private static DateTimeOffset Time(string flag, string text)
    {
        if (text == "now") return DateTimeOffset.UtcNow;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        if (long.TryParse(text, out long ms)) return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        throw new UsageException($"{flag} needs an RFC 3339 time (2026-11-25T08:00:00Z), epoch ms or 'now', not '{text}'");
    }

    /// <summary>A JSON object of vehicle id → password, as printed by <c>telemetry-gateway devices add</c>.</summary>
    private static Dictionary<string, string> Credentials(string flag, string path)
    {
        if (!File.Exists(path)) throw new UsageException($"{flag}: {path} not found");
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))
                ?? throw new UsageException($"{flag} {path}: expected a JSON object of vehicle id → password");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{flag} {path}: expected a JSON object of vehicle id → password ({e.Message})");
        }
    }
}
