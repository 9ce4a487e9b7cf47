using System.Text.Json;
using System.Text.Json.Serialization;

namespace Telemetry.Gateway.Devices;

/// <summary>Reads and writes the registry file: <c>{"devices":[{"id":..,"site":..,"kind":..,"password_hash":..,"enabled":..}]}</c>.</summary>
internal static class DeviceRegistryFile
{
    private sealed class Document
    {
        [JsonPropertyName("devices")] public List<DeviceEntry> Devices { get; set; } = [];
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Parses and checks every entry; throws <see cref="InvalidDataException"/> naming the first problem.</summary>
    public static IReadOnlyList<DeviceEntry> Load(string path)
    {
        Document? document;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            document = JsonSerializer.Deserialize<Document>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid device registry ({e.Message})", e);
        }
        var devices = document?.Devices ?? throw new InvalidDataException($"{path}: empty");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            if (device is null) throw new InvalidDataException($"{path}: a device entry is null");
            if (device.Problem() is { } problem) throw new InvalidDataException($"{path}: {problem}");
            if (!seen.Add(device.Id)) throw new InvalidDataException($"{path}: device {device.Id} is listed twice");
        }
        return devices;
    }

    /// <summary>Writes a new file beside the old one and renames it over, so a reader never sees half a file. Owner-only permissions.</summary>
    public static void Save(string path, IEnumerable<DeviceEntry> devices)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, new Document { Devices = devices.ToList() }, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, full, overwrite: true);
    }
}
