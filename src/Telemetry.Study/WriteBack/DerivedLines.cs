using System.Text;
using Telemetry.Contract;
using Telemetry.Study.Derived;
using Telemetry.Study.Tables;

namespace Telemetry.Study.WriteBack;

/// <summary>
/// Derived rows as line protocol (precision ms): measurement, tags <c>kind</c>, <c>site</c>, <c>vehicle_id</c>
/// (sorted, as InfluxDB recommends), the non-null fields (floats plain decimal, integers with <c>i</c>, text
/// quoted), the row's time. The same row always gives the same line, so writing it again stores nothing new.
/// </summary>
public static class DerivedLines
{
    /// <summary>Appends one line; false (nothing appended) when the row has no field to write.</summary>
    public static bool Append<T>(DerivedTable<T> table, T row, LineBuffer buffer)
    {
        int mark = buffer.Length;
        var vehicle = table.Vehicle(row);
        buffer.Write(LineProtocolEscaping.EscapeKey(table.Measurement));
        buffer.Write(",kind="u8);
        buffer.Write(LineProtocolEscaping.EscapeKey(vehicle.Kind));
        buffer.Write(",site="u8);
        buffer.Write(LineProtocolEscaping.EscapeKey(vehicle.Site));
        buffer.Write(",vehicle_id="u8);
        buffer.Write(LineProtocolEscaping.EscapeKey(vehicle.VehicleId));
        bool first = true;
        foreach (var field in table.Fields)
        {
            switch (field.Type)
            {
                case FieldType.Float when field.Float!(row) is { } d && double.IsFinite(d):
                    Name(buffer, field.Name, ref first);
                    buffer.Advance(PlainNumber.WriteDouble(d, buffer.GetSpan(PlainNumber.MaxDoubleLength)));
                    break;
                case FieldType.Integer when field.Integer!(row) is { } l:
                    Name(buffer, field.Name, ref first);
                    buffer.Advance(PlainNumber.WriteInteger(l, buffer.GetSpan(PlainNumber.MaxIntegerLength)));
                    break;
                case FieldType.Text when field.Text!(row) is { } s:
                    Name(buffer, field.Name, ref first);
                    var bytes = Encoding.UTF8.GetBytes(s);
                    buffer.Advance(LineProtocolEscaping.WriteQuotedString(bytes, buffer.GetSpan(2 + 2 * bytes.Length)));
                    break;
            }
        }
        if (first)
        {
            buffer.Truncate(mark);
            return false;
        }
        buffer.WriteByte((byte)' ');
        table.TimeMs(row).TryFormat(buffer.GetSpan(PlainNumber.MaxIntegerLength), out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        buffer.Advance(written);
        buffer.WriteByte((byte)'\n');
        return true;
    }

    private static void Name(LineBuffer buffer, string name, ref bool first)
    {
        buffer.WriteByte(first ? (byte)' ' : (byte)',');
        first = false;
        buffer.Write(LineProtocolEscaping.EscapeKey(name));
        buffer.WriteByte((byte)'=');
    }
}
