using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Telemetry.Contract.Sparkplug;

/// <summary>What the host application publishes: its STATE birth and will, and the rebirth command.</summary>
public static class HostMessages
{
    public const string RebirthMetric = "Node Control/Rebirth";

    /// <summary><c>spBv1.0/STATE/{host_id}</c>: published retained, QoS 1, online after connecting and as the will.</summary>
    public static string StateTopic(string hostId) => $"{SparkplugTopic.Namespace}/STATE/{hostId}";

    /// <summary><c>{"online":…,"timestamp":T}</c>: the birth and its will carry the same T, as Sparkplug 3.0 requires.</summary>
    public static byte[] State(bool online, long timestampMs) =>
        Encoding.UTF8.GetBytes($"{{\"online\":{(online ? "true" : "false")},\"timestamp\":{timestampMs.ToString(CultureInfo.InvariantCulture)}}}");

    /// <summary>Whether a STATE payload says <c>"online":false</c>; anything unreadable is not taken as offline.</summary>
    public static bool IsOfflineState(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool online = reader.ValueTextEquals("online"u8);
                if (!reader.Read()) return false;
                if (online) return reader.TokenType == JsonTokenType.False;
                reader.Skip();
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static string NodeCommandTopic(ReadOnlySpan<char> groupId, ReadOnlySpan<char> edgeNodeId) =>
        $"{SparkplugTopic.Namespace}/{groupId}/NCMD/{edgeNodeId}";

    /// <summary>An NCMD payload asking the edge node to publish its BIRTH certificates again: <c>Node Control/Rebirth</c> = true.</summary>
    public static byte[] Rebirth(long timestampMs)
    {
        var name = Encoding.UTF8.GetBytes(RebirthMetric);
        var metric = new List<byte>();
        metric.Add(1 << 3 | 2); // name
        WriteVarint(metric, (ulong)name.Length);
        metric.AddRange(name);
        metric.Add(3 << 3); // timestamp
        WriteVarint(metric, (ulong)timestampMs);
        metric.Add(4 << 3); // datatype
        WriteVarint(metric, (ulong)SparkplugDataType.Boolean);
        metric.Add(14 << 3); // boolean_value
        metric.Add(1);

        var payload = new List<byte> { 1 << 3 }; // timestamp
        WriteVarint(payload, (ulong)timestampMs);
        payload.Add(2 << 3 | 2); // metrics
        WriteVarint(payload, (ulong)metric.Count);
        payload.AddRange(metric);
        return [.. payload];
    }

    private static void WriteVarint(List<byte> output, ulong value)
    {
        for (; value >= 0x80; value >>= 7) output.Add((byte)(value | 0x80));
        output.Add((byte)value);
    }
}
