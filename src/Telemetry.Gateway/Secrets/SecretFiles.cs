using Microsoft.Extensions.Configuration;

namespace Telemetry.Gateway.Secrets;

/// <summary>
/// Secrets may be given as a value (appsettings.json or environment, e.g. <c>Influx__Token</c>) or as a
/// file (<c>Influx:TokenFile</c>, e.g. a Docker or systemd credential), read once at start-up. The file's
/// content (without a trailing newline) becomes the value; setting both is an error.
/// </summary>
internal static class SecretFiles
{
    public static readonly IReadOnlyList<(string Key, string FileKey)> Pairs =
    [
        ("Influx:Token", "Influx:TokenFile"),
        ("Influx:Password", "Influx:PasswordFile"),
        ("Mqtt:Password", "Mqtt:PasswordFile"),
    ];

    /// <summary>Adds the values read from files as the last configuration source; throws naming the key when a file cannot be read.</summary>
    public static void Apply(IConfigurationManager configuration)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (key, fileKey) in Pairs)
        {
            if (configuration[fileKey] is not { Length: > 0 } path) continue;
            if (!string.IsNullOrEmpty(configuration[key]))
                throw new InvalidOperationException($"Invalid configuration: {key} and {fileKey} are both set; keep one");
            try
            {
                values[key] = File.ReadAllText(path).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Invalid configuration: {fileKey} '{path}' cannot be read ({e.GetType().Name})");
            }
        }
        if (values.Count > 0) configuration.AddInMemoryCollection(values);
    }
}
