namespace Telemetry.Gateway.Devices;

/// <summary>
/// <c>telemetry-gateway devices add|disable|enable|reset-password|rehash|list</c>: edits the registry file.
/// A new password is printed once and only its hash is stored. A running gateway picks the change up by itself.
/// </summary>
internal static class DevicesCommand
{
    private const string Usage = """
        usage: telemetry-gateway devices <command> [options]
          add            --id ID --site SITE --kind KIND [--no-password]   add a device; prints its password once
                         [--sparkplug]                                    a Sparkplug B edge node: node ID of group SITE (--kind
                                                                          optional: its devices' BIRTHs name their kinds)
          reset-password --id ID                                          new password, printed once
          rehash         --id ID                                          reads the device's current password on standard input
                                                                          and stores it again in the current hash form
          disable        --id ID                                          refuse its connections (and drop open ones)
          enable         --id ID
          list
        options: --registry PATH (default: $Broker__RegistryPath, else devices.json)
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input = null)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (!TryParseOptions(args.AsSpan(1), out var options, out var problem))
        {
            error.WriteLine(problem);
            error.WriteLine(Usage);
            return 2;
        }
        string? fromEnvironment = Environment.GetEnvironmentVariable("Broker__RegistryPath");
        string registry = options.GetValueOrDefault("registry") ?? (string.IsNullOrEmpty(fromEnvironment) ? "devices.json" : fromEnvironment);
        try
        {
            var devices = File.Exists(registry) ? DeviceRegistryFile.Load(registry).ToList() : [];
            switch (args[0])
            {
                case "list":
                    foreach (var d in devices)
                        output.WriteLine($"{d.Id}\t{d.Site}\t{(d.Kind.Length > 0 ? d.Kind : "-")}\t{(d.Enabled ? "enabled" : "disabled")}\t{PasswordKind(d.PasswordHash)}{(d.Sparkplug ? "\tsparkplug edge node" : "")}");
                    return 0;
                case "add":
                    return Add(devices, registry, options, output, error);
                case "reset-password":
                    return Change(devices, registry, options, error, d =>
                    {
                        string password = PasswordHash.NewPassword();
                        output.WriteLine(password);
                        return d with { PasswordHash = PasswordHash.Create(password) };
                    });
                case "rehash":
                    return Rehash(devices, registry, options, input ?? Console.In, error);
                case "disable":
                    return Change(devices, registry, options, error, d => d with { Enabled = false });
                case "enable":
                    return Change(devices, registry, options, error, d => d with { Enabled = true });
                default:
                    error.WriteLine($"unknown command '{args[0]}'");
                    error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }

    private static int Add(List<DeviceEntry> devices, string registry, Dictionary<string, string?> options, TextWriter output, TextWriter error)
    {
        bool sparkplug = options.ContainsKey("sparkplug");
        if (!Require(options, error, sparkplug ? ["id", "site"] : ["id", "site", "kind"])) return 2;
        string id = options["id"]!;
        if (devices.Any(d => d.Id == id))
        {
            error.WriteLine($"device {id} is already in {registry}; use reset-password or enable");
            return 1;
        }
        bool withPassword = !options.ContainsKey("no-password");
        string? password = withPassword ? PasswordHash.NewPassword() : null;
        var device = new DeviceEntry
        {
            Id = id,
            Site = options["site"]!,
            Kind = options.GetValueOrDefault("kind") ?? "",
            Sparkplug = sparkplug,
            PasswordHash = password is null ? "" : PasswordHash.Create(password),
            Updated = DateTimeOffset.UtcNow,
        };
        if (device.Problem() is { } problem)
        {
            error.WriteLine(problem);
            return 2;
        }
        devices.Add(device);
        DeviceRegistryFile.Save(registry, devices);
        error.WriteLine(device.Sparkplug
            ? $"added Sparkplug edge node {id} of group {device.Site} to {registry}; it may publish to spBv1.0/{device.Site}/{{NBIRTH|NDATA|NDEATH|DBIRTH|DDATA|DDEATH}}/{id}[/DEVICE]"
                + (device.Kind.Length > 0 ? $" and {device.TopicPrefix}{{telemetry|event|status|senml|senml-cbor|lp}}" : "")
            : $"added {id} ({device.Site}/{device.Kind}) to {registry}; it may publish to {device.TopicPrefix}{{telemetry|event|status|senml|senml-cbor|lp}}");
        if (password is not null)
        {
            error.WriteLine("its password (shown only now; MQTT user name and client id are the device id):");
            output.WriteLine(password);
        }
        return 0;
    }

    private static int Change(List<DeviceEntry> devices, string registry, Dictionary<string, string?> options, TextWriter error,
        Func<DeviceEntry, DeviceEntry> change)
    {
        if (!Require(options, error, "id")) return 2;
        int index = devices.FindIndex(d => d.Id == options["id"]);
        if (index < 0)
        {
            error.WriteLine($"device {options["id"]} is not in {registry}");
            return 1;
        }
        devices[index] = change(devices[index]) with { Updated = DateTimeOffset.UtcNow };
        DeviceRegistryFile.Save(registry, devices);
        return 0;
    }

    private static string PasswordKind(string hash) =>
        hash.Length == 0 ? "certificate only" : PasswordHash.IsLegacy(hash) ? $"password ({PasswordHash.LegacyScheme}: rehash)" : "password";

    /// <summary>Moves a device to the current hash form without changing its password (the vehicle keeps working).</summary>
    private static int Rehash(List<DeviceEntry> devices, string registry, Dictionary<string, string?> options, TextReader input, TextWriter error)
    {
        if (!Require(options, error, "id")) return 2;
        var device = devices.Find(d => d.Id == options["id"]);
        if (device is null || device.PasswordHash.Length == 0)
        {
            error.WriteLine(device is null ? $"device {options["id"]} is not in {registry}" : $"device {device.Id} has no password (certificate only)");
            return 1;
        }
        string? password = input.ReadLine();
        if (string.IsNullOrEmpty(password) || !PasswordHash.Verify(System.Text.Encoding.UTF8.GetBytes(password), device.PasswordHash))
        {
            error.WriteLine($"the password read from standard input is not device {device.Id}'s; nothing changed");
            return 1;
        }
        return Change(devices, registry, options, error, d => d with { PasswordHash = PasswordHash.Create(password) });
    }

    private static bool Require(Dictionary<string, string?> options, TextWriter error, params string[] names)
    {
        var missing = names.Where(n => string.IsNullOrEmpty(options.GetValueOrDefault(n))).ToArray();
        if (missing.Length == 0) return true;
        error.WriteLine($"missing: {string.Join(", ", missing.Select(n => "--" + n))}");
        return false;
    }

    private static bool TryParseOptions(ReadOnlySpan<string> args, out Dictionary<string, string?> options, out string problem)
    {
        options = new Dictionary<string, string?>(StringComparer.Ordinal);
        problem = "";
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                problem = $"unexpected argument '{args[i]}'";
                return false;
            }
            string name = args[i][2..];
            if (name is "no-password" or "sparkplug") options[name] = null;
            else if (i + 1 < args.Length) options[name] = args[++i];
            else
            {
                problem = $"--{name} needs a value";
                return false;
            }
        }
        return true;
    }
}
