using System.Globalization;
using System.Text;
using Telemetry.Contract;
using Telemetry.Study.Derived;

namespace Telemetry.Study.Tables;

/// <summary>
/// A derived table as CSV (RFC 4180, UTF-8, LF): <c>site,kind,vehicle_id,time</c> (RFC 3339 UTC with ms),
/// <c>date</c> for vehicle-days, then the contract's fields in its order; an empty cell for null. Numbers are
/// plain decimal in shortest round-trip form, as written to InfluxDB.
/// </summary>
public static class CsvExport
{
    public static void Write<T>(DerivedTable<T> table, IEnumerable<T> rows, string path)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        var header = new List<string> { "site", "kind", "vehicle_id", "time" };
        if (table.LocalDate is not null) header.Add("date");
        header.AddRange(table.Fields.Select(f => f.Name));
        writer.WriteLine(string.Join(',', header));
        var line = new StringBuilder();
        Span<byte> number = stackalloc byte[PlainNumber.MaxDoubleLength];
        foreach (var row in rows)
        {
            line.Clear();
            var vehicle = table.Vehicle(row);
            line.Append(Quote(vehicle.Site)).Append(',').Append(Quote(vehicle.Kind)).Append(',').Append(Quote(vehicle.VehicleId)).Append(',');
            line.Append(Rfc3339Utc(table.TimeMs(row)));
            if (table.LocalDate is { } date) line.Append(',').Append(date(row).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            foreach (var field in table.Fields)
            {
                line.Append(',');
                switch (field.Type)
                {
                    case FieldType.Float when field.Float!(row) is { } d && double.IsFinite(d):
                        line.Append(Encoding.ASCII.GetString(number[..PlainNumber.WriteDouble(d, number)]));
                        break;
                    case FieldType.Integer when field.Integer!(row) is { } l:
                        line.Append(l.ToString(CultureInfo.InvariantCulture));
                        break;
                    case FieldType.Text when field.Text!(row) is { } s:
                        line.Append(Quote(s));
                        break;
                }
            }
            writer.WriteLine(line);
        }
    }

    /// <summary>e.g. 2026-11-25T03:00:00.123Z</summary>
    public static string Rfc3339Utc(long timeMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
