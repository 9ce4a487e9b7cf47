using System.Text.Json;

namespace Telemetry.IntegrationTests.Services;

/// <summary>One series of an InfluxQL result: measurement name, GROUP BY tags and rows of values.</summary>
public sealed record InfluxSeries(
    string Name,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Columns,
    IReadOnlyList<IReadOnlyList<JsonElement>> Values);

/// <summary>The JSON answer of InfluxDB 1.x's /query, the series of all statements in order.</summary>
public sealed class InfluxQlResult
{
    InfluxQlResult(IReadOnlyList<InfluxSeries> series, string? error)
    {
        Series = series;
        Error = error;
    }

    public IReadOnlyList<InfluxSeries> Series { get; }

    /// <summary>The request's or first failed statement's error (e.g. "database not found: x"), null on success.</summary>
    public string? Error { get; }

    public static InfluxQlResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string? error = root.TryGetProperty("error", out var requestError) ? requestError.GetString() : null;
        var series = new List<InfluxSeries>();
        if (root.TryGetProperty("results", out var results))
        {
            foreach (var statement in results.EnumerateArray())
            {
                if (statement.TryGetProperty("error", out var statementError))
                    error ??= statementError.GetString();
                if (statement.TryGetProperty("series", out var statementSeries))
                    series.AddRange(statementSeries.EnumerateArray().Select(ParseSeries));
            }
        }
        return new InfluxQlResult(series, error);
    }

    /// <summary>
    /// The count of a SELECT COUNT(...) result: the first column after "time", summed over all rows and
    /// series (so GROUP BY works too); 0 when there is no series. Throws if the query failed.
    /// </summary>
    public long Count()
    {
        ThrowIfFailed();
        long total = 0;
        foreach (var series in Series)
        {
            int column = FirstValueColumn(series);
            foreach (var row in series.Values)
                total += row[column].ValueKind == JsonValueKind.Null ? 0 : row[column].GetInt64();
        }
        return total;
    }

    /// <summary>Every row as column name → value, plus the series' tags (columns win on a name clash).</summary>
    public IEnumerable<IReadOnlyDictionary<string, JsonElement>> Rows()
    {
        ThrowIfFailed();
        foreach (var series in Series)
        {
            foreach (var values in series.Values)
            {
                var row = new Dictionary<string, JsonElement>();
                for (int i = 0; i < series.Columns.Count; i++)
                    row[series.Columns[i]] = values[i];
                foreach (var (tag, value) in series.Tags)
                    row.TryAdd(tag, JsonSerializer.SerializeToElement(value));
                yield return row;
            }
        }
    }

    void ThrowIfFailed()
    {
        if (Error is not null)
            throw new InvalidOperationException($"InfluxQL query failed: {Error}");
    }

    static int FirstValueColumn(InfluxSeries series)
    {
        for (int i = 0; i < series.Columns.Count; i++)
        {
            if (series.Columns[i] != "time")
                return i;
        }
        throw new InvalidOperationException($"Series {series.Name} has no value column.");
    }

    static InfluxSeries ParseSeries(JsonElement series)
    {
        string name = series.TryGetProperty("name", out var nameElement) ? nameElement.GetString() ?? "" : "";
        var tags = new Dictionary<string, string>();
        if (series.TryGetProperty("tags", out var tagsElement))
        {
            foreach (var tag in tagsElement.EnumerateObject())
                tags[tag.Name] = tag.Value.GetString() ?? "";
        }
        var columns = series.GetProperty("columns").EnumerateArray().Select(column => column.GetString() ?? "").ToList();
        var values = new List<IReadOnlyList<JsonElement>>();
        if (series.TryGetProperty("values", out var rows))
        {
            // Clone: the elements must outlive the JsonDocument.
            foreach (var row in rows.EnumerateArray())
                values.Add(row.EnumerateArray().Select(value => value.Clone()).ToList());
        }
        return new InfluxSeries(name, tags, columns, values);
    }
}
