using Telemetry.Contract.Catalogue;

namespace Telemetry.Contract.Sparkplug;

/// <summary>A metric a BIRTH declared: what DATA naming its alias means.</summary>
/// <param name="Key">the name as the catalogue spells it (<c>/</c> read as <c>.</c>), UTF-8</param>
/// <param name="Name">the name as sent, reported when the field is refused</param>
/// <param name="DataType">the BIRTH's datatype, used when DATA omits it</param>
/// <param name="SignalType">the catalogue type of the signal it names; null when it names none, or is Sparkplug's own</param>
/// <param name="IsSparkplugOwn"><c>bdSeq</c>, <c>kind</c>, <c>Node Control/*</c>: never written</param>
internal sealed record AliasEntry(byte[] Key, byte[] Name, uint DataType, SignalType? SignalType, bool IsSparkplugOwn);

/// <summary>A vehicle, as the edge node itself or one of its devices, from its last BIRTH.</summary>
internal sealed class VehicleSession(string vehicleId)
{
    public string VehicleId { get; } = vehicleId;
    /// <summary>Null when the BIRTH had no valid <c>kind</c>: its DATA is refused until a BIRTH that has one.</summary>
    public KindDefinition? Kind { get; set; }
    public Dictionary<ulong, AliasEntry> Aliases { get; } = new();
    public bool Born { get; set; }
    public bool Online { get; set; }
}

/// <summary>One edge node's session: from its NBIRTH to its NDEATH (matched by <c>bdSeq</c>).</summary>
internal sealed class EdgeNodeSession
{
    private readonly Dictionary<string, VehicleSession> _devices = new(StringComparer.Ordinal);

    public EdgeNodeSession(string groupId, string edgeNodeId)
    {
        GroupId = groupId;
        EdgeNodeId = edgeNodeId;
        Node = new VehicleSession(edgeNodeId);
        DeviceLookup = _devices.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string GroupId { get; }
    public string EdgeNodeId { get; }
    public bool Born { get; set; }
    /// <summary>The <c>bdSeq</c> of the current NBIRTH: an NDEATH with another one is a stale will and is ignored.</summary>
    public ulong? BdSeq { get; set; }
    public NodeSeqTracker Seq { get; } = new();
    /// <summary>The edge node as a vehicle (a vehicle that is its own node); without <c>kind</c> it is a gateway for its devices.</summary>
    public VehicleSession Node { get; }
    public IEnumerable<VehicleSession> Devices => _devices.Values;
    public Dictionary<string, VehicleSession>.AlternateLookup<ReadOnlySpan<char>> DeviceLookup { get; }
    public long? RebirthRequestedAtMs { get; set; }

    public VehicleSession AddDevice(ReadOnlySpan<char> deviceId)
    {
        var device = new VehicleSession(deviceId.ToString());
        _devices.Add(device.VehicleId, device);
        return device;
    }

    public void RemoveDevice(VehicleSession device) => _devices.Remove(device.VehicleId);

    public void ClearDevices() => _devices.Clear();

    public int DeviceCount => _devices.Count;
}
