using System.Globalization;
using System.Text;

namespace Telemetry.IntegrationTests.Study;

/// <summary>
/// The CSV exports of one study run (trips.csv, charge_sessions.csv, swaps.csv, refuels.csv, vehicle_days.csv):
/// columns <c>site,kind,vehicle_id,time</c> (RFC 3339 UTC) then the fields of wire contract section 8, an empty
/// cell for null.
/// </summary>
public static class StudyExports
{
    public static DerivedTables Read(string directory) => new()
    {
        Trips = ReadCsv(Path.Combine(directory, "trips.csv")),
        ChargeSessions = ReadCsv(Path.Combine(directory, "charge_sessions.csv")),
        Swaps = ReadCsv(Path.Combine(directory, "swaps.csv")),
        Refuels = ReadCsv(Path.Combine(directory, "refuels.csv")),
        VehicleDays = ReadCsv(Path.Combine(directory, "vehicle_days.csv")),
    };

    public static List<DerivedRow> ReadCsv(string path)
    {
        var records = ParseRecords(File.ReadAllText(path, Encoding.UTF8));
        if (records.Count == 0) throw new InvalidDataException($"{path} is empty: it should at least have a header");
        var header = records[0];
        foreach (var required in new[] { "site", "kind", "vehicle_id", "time" })
            if (!header.Contains(required)) throw new InvalidDataException($"{path} has no column {required}: {string.Join(',', header)}");
        var rows = new List<DerivedRow>();
        foreach (var record in records.Skip(1))
        {
            if (record.Count != header.Count)
                throw new InvalidDataException($"{path}: a row has {record.Count} cells, the header {header.Count}");
            var values = new Dictionary<string, string?>();
            for (int i = 0; i < header.Count; i++) values[header[i]] = record[i].Length == 0 ? null : record[i];
            long time = DateTimeOffset.Parse(values["time"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();
            rows.Add(new DerivedRow(values["site"]!, values["kind"]!, values["vehicle_id"]!, time, values));
        }
        return rows;
    }

    /// <summary>RFC 4180: comma-separated, double-quoted cells may hold commas, quotes ("") and line breaks.</summary>
    private static List<List<string>> ParseRecords(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; any = true; break;
                case ',': record.Add(cell.ToString()); cell.Clear(); any = true; break;
                case '\r': break;
                case '\n':
                    if (any || cell.Length > 0) { record.Add(cell.ToString()); records.Add(record); }
                    record = [];
                    cell.Clear();
                    any = false;
                    break;
                default: cell.Append(c); any = true; break;
            }
        }
        if (any || cell.Length > 0)
        {
            record.Add(cell.ToString());
            records.Add(record);
        }
        return records;
    }
}
