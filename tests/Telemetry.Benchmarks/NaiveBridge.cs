using System.Text;
using System.Text.Json;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Telemetry.Contract;
using Telemetry.Contract.Catalogue;

namespace Telemetry.Benchmarks;

/// <summary>
/// The baseline: how a typical C# MQTT → InfluxDB bridge does the same job. The payload becomes
/// dictionaries (<see cref="JsonSerializer"/>), each object a <see cref="PointData"/> built field by
/// field and turned into a line-protocol string, appended to the batch as UTF-8. It applies the same
/// catalogue (types, ranges) so that both sides do comparable work; it is kept here only for comparison.
/// </summary>
internal sealed class NaiveBridge
{
    private readonly Dictionary<string, Dictionary<string, SignalDefinition>> _telemetryByKind;
    private readonly Dictionary<string, SignalDefinition> _eventFields;
    private readonly Dictionary<string, SignalDefinition> _statusFields;

    public NaiveBridge(SignalCatalogue catalogue)
    {
        _telemetryByKind = catalogue.Kinds.ToDictionary(k => k.Name, k => ByKeyAndPath(k.Telemetry));
        _eventFields = ByKeyAndPath(catalogue.EventFields);
        _statusFields = ByKeyAndPath(catalogue.StatusFields);
    }

    /// <summary>Appends the message's lines to <paramref name="output"/>; returns the number of points written.</summary>
    public int Convert(string topic, byte[] payload, long nowUnixMs, LineBuffer output)
    {
        var parts = topic.Split('/');
        if (parts.Length != 5 || parts[0] != "fleet" || !_telemetryByKind.TryGetValue(parts[2], out var telemetryFields)) return 0;
        var (measurement, fields) = parts[4] switch
        {
            "telemetry" => ("telemetry", telemetryFields),
            "event" => ("events", _eventFields),
            "status" => ("status", _statusFields),
            _ => (null, null),
        };
        if (measurement is null || fields is null) return 0;

        var objects = payload.AsSpan().TrimStart(" \t\r\n"u8)[0] == '['
            ? JsonSerializer.Deserialize<List<Dictionary<string, JsonElement>>>(payload)!
            : [JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(payload)!];

        int points = 0;
        foreach (var obj in objects)
        {
            var point = PointData.Builder.Measurement(measurement)
                .Tag("site", parts[1]).Tag("kind", parts[2]).Tag("vehicle_id", parts[3]);
            long ts = nowUnixMs;
            foreach (var (key, value) in obj)
            {
                if (key == "ts") ts = value.GetInt64();
                else if (key == "seq") point.Field("seq", value.GetInt64());
                else if (key == "type" && measurement == "events") point.Tag("type", value.GetString());
                else if (fields.TryGetValue(key, out var signal)) AddField(point, signal, value);
            }
            if (!point.HasFields()) continue;
            string line = point.Timestamp(ts, WritePrecision.Ms).ToPointData().ToLineProtocol();
            var destination = output.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 1);
            int written = Encoding.UTF8.GetBytes(line, destination);
            destination[written] = (byte)'\n';
            output.Advance(written + 1);
            points++;
        }
        return points;
    }

    private static void AddField(PointData.Builder point, SignalDefinition signal, JsonElement value)
    {
        switch (signal.Type)
        {
            case SignalType.Float when value.ValueKind == JsonValueKind.Number:
                double d = value.GetDouble();
                if (d >= signal.Min && d <= signal.Max) point.Field(signal.Key, d);
                break;
            case SignalType.Int when value.ValueKind == JsonValueKind.Number:
                long l = value.GetInt64();
                if (l >= signal.Min && l <= signal.Max) point.Field(signal.Key, l);
                break;
            case SignalType.Bool when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                point.Field(signal.Key, value.GetBoolean());
                break;
            case SignalType.String when value.ValueKind == JsonValueKind.String:
                point.Field(signal.Key, value.GetString());
                break;
        }
    }

    private static Dictionary<string, SignalDefinition> ByKeyAndPath(FieldSet fields)
    {
        var map = new Dictionary<string, SignalDefinition>();
        foreach (var signal in fields.Signals)
        {
            map[signal.Key] = signal;
            if (signal.Path is not null) map[signal.Path] = signal;
        }
        return map;
    }
}
