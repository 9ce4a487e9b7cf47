using System.Text.Encodings.Web;
using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace DeviceSim.Publishing;

/// <summary>
/// Serialises objects to JSON the way a vehicle does: lowercase keys, <c>ts</c> first, floats as
/// plain decimals rounded to the sensor's resolution (never an exponent), a single object or an array.
/// </summary>
public sealed class PayloadWriter
{
    private static readonly string[] DecimalFormats = ["0", "0.#", "0.##", "0.###", "0.####", "0.#####", "0.######", "0.#######"];
    private static readonly TimeSpan Bangkok = TimeSpan.FromHours(7);
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    public PayloadWriter()
    {
        // Validation off: fault objects deliberately repeat keys.
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public byte[] Write(IReadOnlyList<SampleObject> objects, bool asArray)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        if (asArray) _writer.WriteStartArray();
        foreach (var obj in objects) WriteObject(obj);
        if (asArray) _writer.WriteEndArray();
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    private void WriteObject(SampleObject obj)
    {
        _writer.WriteStartObject();
        switch (obj.TsStyle)
        {
            case TsStyle.EpochMs:
                _writer.WriteNumber("ts", obj.TsMs);
                break;
            case TsStyle.Rfc3339Bangkok:
                _writer.WriteString("ts", FormatRfc3339(obj.TsMs));
                break;
        }
        if (obj.Seq is { } seq) _writer.WriteNumber("seq", seq);
        foreach (var field in obj.Fields) WriteField(field);
        _writer.WriteEndObject();
    }

    private void WriteField(FieldValue field)
    {
        switch (field.Kind)
        {
            case FieldKind.Float:
                _writer.WritePropertyName(field.Key);
                _writer.WriteRawValue(FormatPlain(field.Number, field.Decimals), skipInputValidation: true);
                break;
            case FieldKind.Int:
                _writer.WriteNumber(field.Key, (long)field.Number);
                break;
            case FieldKind.Bool:
                _writer.WriteBoolean(field.Key, field.Flag);
                break;
            case FieldKind.Text:
                _writer.WriteString(field.Key, field.Text);
                break;
            default:
                _writer.WritePropertyName(field.Key);
                _writer.WriteRawValue(field.Text ?? "null", skipInputValidation: true);
                break;
        }
    }

    /// <summary>Plain decimal text: rounded, no exponent, no negative zero.</summary>
    public static string FormatPlain(double value, int decimals)
    {
        decimals = Math.Clamp(decimals, 0, DecimalFormats.Length - 1);
        double rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero) + 0.0;
        return rounded.ToString(DecimalFormats[decimals], CultureInfo.InvariantCulture);
    }

    public static string FormatRfc3339(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToOffset(Bangkok).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}
