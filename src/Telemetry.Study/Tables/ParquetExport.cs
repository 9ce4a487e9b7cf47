using Parquet;
using Parquet.Schema;

namespace Telemetry.Study.Tables;

/// <summary>
/// A derived table as Parquet, the same columns as the CSV: tags as strings, <c>time</c> a UTC timestamp in ms,
/// <c>date</c> a DATE, floats as nullable doubles, integers as nullable int64, text as nullable strings. One row
/// group: a study's derived tables are thousands of rows, not millions.
/// </summary>
public static class ParquetExport
{
    public static async Task WriteAsync<T>(DerivedTable<T> table, IReadOnlyList<T> rows, string path, CancellationToken ct)
    {
        var site = new DataField<string>("site");
        var kind = new DataField<string>("kind");
        var vehicleId = new DataField<string>("vehicle_id");
        var time = new DateTimeDataField("time", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: false);
        var date = new DataField<DateOnly>("date");
        var fields = table.Fields.Select(f => f.Type switch
        {
            FieldType.Float => (DataField)new DataField<double?>(f.Name),
            FieldType.Integer => new DataField<long?>(f.Name),
            _ => new DataField<string>(f.Name),
        }).ToList();
        var schemaFields = new List<Field> { site, kind, vehicleId, time };
        if (table.LocalDate is not null) schemaFields.Add(date);
        schemaFields.AddRange(fields);

        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(schemaFields), stream, cancellationToken: ct);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(site, rows.Select(r => table.Vehicle(r).Site).ToArray());
        await group.WriteAsync(kind, rows.Select(r => table.Vehicle(r).Kind).ToArray());
        await group.WriteAsync(vehicleId, rows.Select(r => table.Vehicle(r).VehicleId).ToArray());
        await group.WriteAsync<DateTime>(time, rows.Select(r => DateTimeOffset.FromUnixTimeMilliseconds(table.TimeMs(r)).UtcDateTime).ToArray(), cancellationToken: ct);
        if (table.LocalDate is { } localDate) await group.WriteAsync<DateOnly>(date, rows.Select(localDate).ToArray(), cancellationToken: ct);
        for (int i = 0; i < fields.Count; i++)
        {
            var f = table.Fields[i];
            switch (f.Type)
            {
                case FieldType.Float:
                    await group.WriteAsync<double>(fields[i], rows.Select(r => f.Float!(r)).ToArray(), cancellationToken: ct);
                    break;
                case FieldType.Integer:
                    await group.WriteAsync<long>(fields[i], rows.Select(r => f.Integer!(r)).ToArray(), cancellationToken: ct);
                    break;
                default:
                    await group.WriteAsync(fields[i], rows.Select(r => f.Text!(r)).ToArray());
                    break;
            }
        }
        group.CompleteValidate();
    }
}
