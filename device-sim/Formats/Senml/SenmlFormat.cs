using System.Buffers;
using System.Formats.Cbor;
using System.Text.Encodings.Web;
using System.Text.Json;
using DeviceSim.Faults;
using DeviceSim.Publishing;
using DeviceSim.Vehicles;

namespace DeviceSim.Formats.Senml;

/// <summary>
/// Wire contract section 6: telemetry as one SenML pack per message (RFC 8428) on the stream <c>senml</c> (JSON) or
/// <c>senml-cbor</c> (CBOR, written with System.Formats.Cbor's <see cref="CborWriter"/>, integer labels of RFC 8428
/// table 6). The pack's first record carries <c>bt</c> (the first sample's time, in seconds with milliseconds), a
/// later sample's records <c>t</c> relative to it; one record per signal with its SenML unit, and <c>seq</c>.
/// Firmware that names signals by VSS path sends them as <c>bn</c> <c>Vehicle.</c> + <c>n</c> <c>Speed</c>, then
/// <c>bn</c> "" for its short keys. Events and status stay JSON on their own topics (SenML carries telemetry only).
/// </summary>
public sealed class SenmlFormat : WireFormat
{
    private const string VssBase = "Vehicle.";
    private readonly bool _cbor;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly CborWriter _cborWriter = new(CborConformanceMode.Lax);
    private readonly List<Record> _records = [];

    private readonly record struct Record(string? BaseName, double? BaseTime, string Name, string? Unit, FieldValue Value, double Time);

    public SenmlFormat(IReadOnlyList<Vehicle> vehicles, bool cbor) : base(vehicles)
    {
        _cbor = cbor;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public override PayloadFormat Format => _cbor ? PayloadFormat.SenmlCbor : PayloadFormat.Senml;

    private string Stream => _cbor ? "senml-cbor" : "senml";

    public override TelemetryFrame Telemetry(OutgoingMessage message, FaultKind? fault, double draw, bool batched)
    {
        message.Topic = message.Topic[..(message.Topic.LastIndexOf('/') + 1)] + Stream;
        message.Binary = _cbor;
        BuildRecords(message.Objects);
        message.Payload = _cbor ? WriteCbor() : WriteJson();
        // Cut JSON is not JSON at all; cut CBOR is not a SenML pack.
        FleetTopic.ApplyEncodingFault(message, fault, draw, cutReason: _cbor ? "bad_payload" : "bad_json");
        return default;
    }

    private void BuildRecords(IReadOnlyList<SampleObject> objects)
    {
        _records.Clear();
        long baseMs = objects[0].TsMs;
        string currentBase = "";
        bool first = true;
        foreach (var obj in objects)
        {
            double t = (obj.TsMs - baseMs) / 1000.0;
            foreach (bool vss in (ReadOnlySpan<bool>)[true, false])
            {
                foreach (var field in obj.Fields)
                {
                    if (field.Key.StartsWith(VssBase, StringComparison.Ordinal) != vss) continue;
                    Add(vss ? VssBase : "", vss ? field.Key[VssBase.Length..] : field.Key, SenmlUnits.Of(field.Key), field);
                }
            }
            if (obj.Seq is { } seq) Add("", "seq", null, FieldValue.Int("seq", seq));

            void Add(string baseName, string name, string? unit, FieldValue value)
            {
                string? bn = baseName != currentBase ? baseName : null;
                currentBase = baseName;
                _records.Add(new Record(bn, first ? baseMs / 1000.0 : null, name, unit, value, t));
                first = false;
            }
        }
    }

    private byte[] WriteJson()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartArray();
        foreach (var r in _records)
        {
            _json.WriteStartObject();
            if (r.BaseName is { } bn) _json.WriteString("bn", bn);
            if (r.BaseTime is { } bt)
            {
                _json.WritePropertyName("bt");
                _json.WriteRawValue(PayloadWriter.FormatPlain(bt, 3), skipInputValidation: true);
            }
            _json.WriteString("n", r.Name);
            if (r.Unit is { } unit) _json.WriteString("u", unit);
            if (r.Time != 0)
            {
                _json.WritePropertyName("t");
                _json.WriteRawValue(PayloadWriter.FormatPlain(r.Time, 3), skipInputValidation: true);
            }
            var v = r.Value;
            switch (v.Kind)
            {
                case FieldKind.Float:
                    _json.WritePropertyName("v");
                    _json.WriteRawValue(PayloadWriter.FormatPlain(v.Number, v.Decimals), skipInputValidation: true);
                    break;
                case FieldKind.Int: _json.WriteNumber("v", (long)v.Number); break;
                case FieldKind.Bool: _json.WriteBoolean("vb", v.Flag); break;
                default: _json.WriteString("vs", v.Text); break; // a string, or a firmware blob (RawJson) sent as one
            }
            _json.WriteEndObject();
        }
        _json.WriteEndArray();
        _json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>RFC 8428 table 6 labels: bn −2, bt −3, n 0, u 1, v 2, vs 3, vb 4, t 6.</summary>
    private byte[] WriteCbor()
    {
        var w = _cborWriter;
        w.Reset();
        w.WriteStartArray(_records.Count);
        foreach (var r in _records)
        {
            int entries = 2 + (r.BaseName is null ? 0 : 1) + (r.BaseTime is null ? 0 : 1) + (r.Unit is null ? 0 : 1) + (r.Time == 0 ? 0 : 1);
            w.WriteStartMap(entries);
            if (r.BaseName is { } bn) { w.WriteInt32(-2); w.WriteTextString(bn); }
            if (r.BaseTime is { } bt) { w.WriteInt32(-3); w.WriteDouble(bt); }
            w.WriteInt32(0);
            w.WriteTextString(r.Name);
            if (r.Unit is { } unit) { w.WriteInt32(1); w.WriteTextString(unit); }
            if (r.Time != 0) { w.WriteInt32(6); w.WriteDouble(r.Time); }
            var v = r.Value;
            switch (v.Kind)
            {
                case FieldKind.Float: w.WriteInt32(2); w.WriteDouble(Math.Round(v.Number, v.Decimals, MidpointRounding.AwayFromZero) + 0.0); break;
                case FieldKind.Int: w.WriteInt32(2); w.WriteInt64((long)v.Number); break;
                case FieldKind.Bool: w.WriteInt32(4); w.WriteBoolean(v.Flag); break;
                default: w.WriteInt32(3); w.WriteTextString(v.Text ?? ""); break;
            }
            w.WriteEndMap();
        }
        w.WriteEndArray();
        return w.Encode();
    }
}
