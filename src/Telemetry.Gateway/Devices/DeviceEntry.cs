using System.Text.Json.Serialization;
using Telemetry.Contract.Topics;

namespace Telemetry.Gateway.Devices;

/// <summary>One vehicle allowed to connect to the embedded broker, as stored in the registry file.</summary>
internal sealed record DeviceEntry
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("site")] public required string Site { get; init; }
    /// <summary>The vehicle kind of its <c>fleet/</c> topics; may be empty for a Sparkplug edge node (its devices' BIRTHs name their kinds).</summary>
    [JsonPropertyName("kind")] public string Kind { get; init; } = "";
    /// <summary>
    /// A Sparkplug B edge node: edge node id <see cref="Id"/> of group <see cref="Site"/>. It may publish its own node and device messages
    /// (<c>spBv1.0/{site}/{NBIRTH|NDATA|NDEATH|DBIRTH|DDATA|DDEATH}/{id}[/device]</c>) and subscribe to its commands and the host's STATE.
    /// </summary>
    [JsonPropertyName("sparkplug")] public bool Sparkplug { get; init; }
    /// <summary>See <see cref="PasswordHash"/>; empty when the device logs in with a client certificate only.</summary>
    [JsonPropertyName("password_hash")] public string PasswordHash { get; init; } = "";
    [JsonPropertyName("enabled")] public bool Enabled { get; init; } = true;
    [JsonPropertyName("updated")] public DateTimeOffset? Updated { get; init; }

    /// <summary>The only topic prefix this device may publish under: <c>fleet/{site}/{kind}/{id}/</c>.</summary>
    [JsonIgnore] public string TopicPrefix => field ??= $"fleet/{Site}/{Kind}/{Id}/";

    /// <summary>Why the entry is unusable, or null.</summary>
    public string? Problem()
    {
        if (!TopicParser.IsValidVehicleId(Id)) return $"id '{Id}' must match [A-Za-z0-9_.-]{{1,64}}";
        if (!TopicParser.IsValidSite(Site)) return $"device {Id}: site '{Site}' must match [a-z0-9-]{{1,32}}";
        if (!(Sparkplug && Kind.Length == 0) && !TopicParser.IsValidSite(Kind))
            return $"device {Id}: kind '{Kind}' must match [a-z0-9-]{{1,32}}" + (Sparkplug ? " (or be empty for a Sparkplug edge node)" : "");
        if (PasswordHash.Length > 0 && !Devices.PasswordHash.IsWellFormed(PasswordHash))
            return $"device {Id}: password_hash is not {Devices.PasswordHash.Scheme}$iterations(>= {Devices.PasswordHash.MinIterations})$salt$hash (or the older {Devices.PasswordHash.LegacyScheme}$...)";
        return null;
    }
}
