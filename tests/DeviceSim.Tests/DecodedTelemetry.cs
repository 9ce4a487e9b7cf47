using System.Formats.Cbor;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;

namespace DeviceSim.Tests;

/// <summary>
/// A run's telemetry read back without the gateway's readers, one decoder per format: JSON with JsonDocument, SenML
/// CBOR with System.Formats.Cbor's CborReader, Sparkplug B with Google.Protobuf's parser generated from the
/// specification's .proto (aliases resolved through each BIRTH). Each gives (vehicle id, ts ms) → signal → value,
/// numbers as doubles, with VSS paths spelled with dots. Unreadable payloads are counted, not read.
/// </summary>
internal sealed class DecodedTelemetry
{
    public Dictionary<(string Vehicle, long Ts), Dictionary<string, object>> Samples { get; } = [];
    public int Unreadable { get; private set; }

    private void Add(string vehicle, long ts, string key, object value)
    {
        if (!Samples.TryGetValue((vehicle, ts), out var sample)) Samples[(vehicle, ts)] = sample = [];
        sample[key] = value;
    }

    public static DecodedTelemetry FromJson(SimulatedRun run)
    {
        var decoded = new DecodedTelemetry();
        foreach (var line in run.Lines.Where(l => l.Topic.EndsWith("/telemetry", StringComparison.Ordinal)))
        {
            string vehicle = line.Topic.Split('/')[3];
            using var doc = JsonDocument.Parse(line.Payload);
            var objects = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToList() : [doc.RootElement];
            foreach (var obj in objects)
            {
                var tsElement = obj.GetProperty("ts");
                long ts = tsElement.ValueKind == JsonValueKind.Number
                    ? tsElement.GetInt64()
                    : DateTimeOffset.Parse(tsElement.GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                foreach (var p in obj.EnumerateObject().Where(p => p.Name != "ts"))
                    decoded.Add(vehicle, ts, p.Name, p.Value.ValueKind switch
                    {
                        JsonValueKind.Number => p.Value.GetDouble(),
                        JsonValueKind.String => p.Value.GetString()!,
                        _ => p.Value.GetBoolean(),
                    });
            }
        }
        return decoded;
    }

    public static DecodedTelemetry FromSenml(SimulatedRun run, bool cbor)
    {
        var decoded = new DecodedTelemetry();
        foreach (var line in run.Lines.Where(l => l.Topic.EndsWith(cbor ? "/senml-cbor" : "/senml", StringComparison.Ordinal)))
        {
            string vehicle = line.Topic.Split('/')[3];
            List<Dictionary<string, object>> records;
            try
            {
                records = cbor ? CborRecords(line.Bytes) : JsonRecords(line.Payload);
            }
            catch (Exception e) when (e is CborContentException or InvalidOperationException or JsonException)
            {
                decoded.Unreadable++;
                continue;
            }
            string baseName = "";
            double baseTime = 0;
            foreach (var record in records)
            {
                if (record.TryGetValue("bn", out var bn)) baseName = (string)bn;
                if (record.TryGetValue("bt", out var bt)) baseTime = (double)bt;
                double time = baseTime + (record.TryGetValue("t", out var t) ? (double)t : 0);
                object value = record.TryGetValue("v", out var v) ? v : record.TryGetValue("vb", out var vb) ? vb : record["vs"];
                decoded.Add(vehicle, (long)Math.Round(time * 1000), baseName + (string)record["n"], value);
            }
        }
        return decoded;
    }

    private static List<Dictionary<string, object>> JsonRecords(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        return doc.RootElement.EnumerateArray().Select(r => r.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
        {
            JsonValueKind.Number => (object)p.Value.GetDouble(),
            JsonValueKind.String => p.Value.GetString()!,
            _ => p.Value.GetBoolean(),
        })).ToList();
    }

    /// <summary>RFC 8428 table 6 labels back to their names.</summary>
    private static readonly Dictionary<int, string> CborLabels = new() { [-2] = "bn", [-3] = "bt", [0] = "n", [1] = "u", [2] = "v", [3] = "vs", [4] = "vb", [6] = "t" };

    private static List<Dictionary<string, object>> CborRecords(byte[] payload)
    {
        var reader = new CborReader(payload, CborConformanceMode.Strict);
        var records = new List<Dictionary<string, object>>();
        int count = reader.ReadStartArray() ?? throw new InvalidOperationException("indefinite pack");
        for (int i = 0; i < count; i++)
        {
            var record = new Dictionary<string, object>();
            int entries = reader.ReadStartMap() ?? throw new InvalidOperationException("indefinite record");
            for (int e = 0; e < entries; e++)
            {
                string label = CborLabels[reader.ReadInt32()];
                record[label] = reader.PeekState() switch
                {
                    CborReaderState.TextString => reader.ReadTextString(),
                    CborReaderState.Boolean => reader.ReadBoolean(),
                    CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => (double)reader.ReadInt64(),
                    _ => reader.ReadDouble(),
                };
            }
            reader.ReadEndMap();
            records.Add(record);
        }
        reader.ReadEndArray();
        if (reader.BytesRemaining != 0) throw new InvalidOperationException("trailing bytes");
        return records;
    }

    /// <summary>A BIRTH's declaration of a metric.</summary>
    private sealed record Declared(string Name, uint DataType);

    public static DecodedTelemetry FromSparkplug(SimulatedRun run)
    {
        var decoded = new DecodedTelemetry();
        var tables = new Dictionary<string, Dictionary<ulong, Declared>>();
        foreach (var line in run.Lines.Where(l => l.Topic.StartsWith("spBv1.0/", StringComparison.Ordinal)))
        {
            var segments = line.Topic.Split('/');
            if (segments.Length < 4) continue;
            Payload payload;
            try
            {
                payload = Payload.Parser.ParseFrom(line.Bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                decoded.Unreadable++;
                continue;
            }
            string session = segments.Length == 5 ? segments[3] + "/" + segments[4] : segments[3];
            string vehicle = segments[^1];
            switch (segments[2])
            {
                case "NBIRTH" or "DBIRTH":
                    tables[session] = payload.Metrics.Where(m => m.HasAlias).ToDictionary(m => m.Alias, m => new Declared(m.Name, m.Datatype));
                    break;
                case "NDATA" or "DDATA":
                    if (!tables.TryGetValue(session, out var table)) continue;
                    foreach (var metric in payload.Metrics)
                    {
                        var declared = metric.HasName ? new Declared(metric.Name, metric.Datatype) : table.GetValueOrDefault(metric.Alias);
                        if (declared is null) continue;
                        uint dataType = metric.HasDatatype ? metric.Datatype : declared.DataType;
                        long ts = (long)(metric.HasTimestamp ? metric.Timestamp : payload.Timestamp);
                        decoded.Add(vehicle, ts, declared.Name.Replace('/', '.'), dataType switch
                        {
                            3 => (double)(int)metric.IntValue,
                            7 => (double)metric.IntValue,
                            10 => metric.DoubleValue,
                            11 => metric.BooleanValue,
                            _ => metric.StringValue,
                        });
                    }
                    break;
            }
        }
        return decoded;
    }
}
