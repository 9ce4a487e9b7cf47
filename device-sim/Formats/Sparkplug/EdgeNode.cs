namespace DeviceSim.Formats.Sparkplug;

/// <summary>What a Sparkplug message is to the host's session, for <see cref="SparkplugFormat.BeforeSend"/>.</summary>
public enum SparkplugMessage { NBirth, NDeath, DBirth, DDeath, Data }

/// <summary>The Sparkplug side of an outgoing message: its type, edge node, device (vehicle index, or −1), the bdSeq it carries, and the reason the encoding alone gives the gateway.</summary>
public sealed record SparkplugRole(SparkplugMessage Type, EdgeNode Node, int Device, ulong BdSeq = 0, string? EncodedRejection = null);

/// <summary>
/// One Sparkplug edge node: a vehicle that is its own node, or a depot's gateway whose devices are its forklifts.
/// Its MQTT connection carries its NDEATH (with its <c>bdSeq</c>) as the will and subscribes to its NCMD; its
/// <c>seq</c> (0–255) runs across its own and its devices' messages.
/// </summary>
public sealed class EdgeNode(int index, string groupId, string nodeId, int? vehicle, ulong bdSeq)
{
    public int Index { get; } = index;
    public string GroupId { get; } = groupId;
    public string NodeId { get; } = nodeId;
    /// <summary>The vehicle this node is, or null for a depot node.</summary>
    public int? Vehicle { get; } = vehicle;
    public List<int> Devices { get; } = [];
    /// <summary>The bdSeq of this run's connection: in every NBIRTH and in the NDEATH will.</summary>
    public ulong BdSeq { get; } = bdSeq;

    /// <summary>Sent its first NBIRTH; <see cref="Finished"/>: sent its last NDEATH.</summary>
    public bool Started { get; set; }
    public bool Finished { get; set; }

    /// <summary>The host's view, as the messages sent so far make it: a session open, with the bdSeq of the NBIRTH that opened it.</summary>
    public bool HostBorn { get; set; }
    public ulong HostBdSeq { get; set; }

    private int _seq;

    /// <summary>The seq for the next message (an NBIRTH restarts at 0).</summary>
    public int NextSeq()
    {
        int seq = _seq;
        _seq = (_seq + 1) & 0xFF;
        return seq;
    }

    public void RestartSeq() => _seq = 0;

    public string Topic(string messageType, string? device = null) =>
        device is null ? $"spBv1.0/{GroupId}/{messageType}/{NodeId}" : $"spBv1.0/{GroupId}/{messageType}/{NodeId}/{device}";
}
