using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Telemetry.Study.Derived;

namespace Telemetry.Study.Influx;

/// <summary>InfluxDB answered a query with an error (a missing database, a bad statement, a refused token).</summary>
public sealed class InfluxQueryException(string message) : Exception(message);

/// <summary>Receives the series of a streamed InfluxQL answer, row by row.</summary>
public interface ISeriesHandler
{
    /// <summary>A series (or the next part of one: InfluxDB repeats the header in each chunk) begins.</summary>
    void Series(VehicleKey vehicle, string[] columns);
    /// <summary>The reader is on the row's StartArray; read it up to and including its EndArray.</summary>
    void Row(ref Utf8JsonReader row);
}

/// <summary>
/// InfluxQL over HTTP <c>/query</c>, the one query API that InfluxDB 1.x, 2.x (v1 compatibility) and 3.x
/// (its v1-compatible endpoint) share. Timestamps come as epoch milliseconds. Large answers are asked for in
/// chunks (<c>chunked=true</c>: one JSON object per chunk) and parsed one chunk at a time, so memory is one
/// chunk whatever the range.
/// </summary>
public sealed class InfluxQlClient
{
    private readonly HttpClient _http;
    private readonly string _database;
    private readonly string _retentionPolicy;
    private readonly AuthenticationHeaderValue? _auth;

    /// <summary>Time spent waiting for InfluxDB's bytes (the rest of a streamed query is parsing and deriving).</summary>
    public TimeSpan WaitTime { get; private set; }

    public InfluxQlClient(HttpClient http, string database, string retentionPolicy, AuthenticationHeaderValue? auth)
    {
        _http = http;
        _database = database;
        _retentionPolicy = retentionPolicy;
        _auth = auth;
    }

    public string Database => _database;

    /// <summary>A small query, answered whole; throws <see cref="InfluxQueryException"/> on an error in the answer.</summary>
    public async Task<JsonElement> QueryAsync(string influxQl, CancellationToken ct)
    {
        using var response = await SendAsync(influxQl, chunkSize: 0, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        using var document = Parse(body, response);
        ThrowOnError(document.RootElement);
        return document.RootElement.Clone();
    }

    /// <summary>A query whose answer is streamed chunk by chunk to <paramref name="handler"/>.</summary>
    public async Task StreamAsync<THandler>(string influxQl, int chunkSize, THandler handler, CancellationToken ct) where THandler : ISeriesHandler
    {
        using var response = await SendAsync(influxQl, chunkSize, ct);
        if (!response.IsSuccessStatusCode)
        {
            using var error = Parse(await response.Content.ReadAsByteArrayAsync(ct), response);
            ThrowOnError(error.RootElement);
            throw new InfluxQueryException($"InfluxDB answered {(int)response.StatusCode} to a query on '{_database}'");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var framer = new JsonObjectFramer();
        try
        {
            while (true)
            {
                var memory = framer.FreeSpace();
                long before = System.Diagnostics.Stopwatch.GetTimestamp();
                int read = await stream.ReadAsync(memory, ct);
                WaitTime += System.Diagnostics.Stopwatch.GetElapsedTime(before);
                if (read == 0) break;
                framer.Advance(read);
                while (framer.TryTakeObject(out var start, out var length))
                    ReadChunk(framer.Buffer.AsSpan(start, length), handler);
            }
            if (!framer.IsEmpty) throw new InfluxQueryException($"InfluxDB's answer on '{_database}' ended in the middle of a chunk");
        }
        finally
        {
            framer.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string influxQl, int chunkSize, CancellationToken ct)
    {
        var query = $"query?db={Uri.EscapeDataString(_database)}&epoch=ms&q={Uri.EscapeDataString(influxQl)}";
        if (_retentionPolicy.Length > 0) query += $"&rp={Uri.EscapeDataString(_retentionPolicy)}";
        if (chunkSize > 0) query += $"&chunked=true&chunk_size={chunkSize}";
        var request = new HttpRequestMessage(HttpMethod.Get, query);
        request.Headers.Authorization = _auth;
        long before = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        finally
        {
            WaitTime += System.Diagnostics.Stopwatch.GetElapsedTime(before);
            request.Dispose();
        }
    }

    private JsonDocument Parse(byte[] body, HttpResponseMessage response)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            string text = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 512)));
            throw new InfluxQueryException($"InfluxDB answered {(int)response.StatusCode} to a query on '{_database}': {text}");
        }
    }

    private void ThrowOnError(JsonElement root)
    {
        if (root.TryGetProperty("error", out var error)) throw new InfluxQueryException(Describe(error.GetString()));
        if (!root.TryGetProperty("results", out var results)) return;
        foreach (var statement in results.EnumerateArray())
            if (statement.TryGetProperty("error", out var statementError))
                throw new InfluxQueryException(Describe(statementError.GetString()));
    }

    private string Describe(string? error) =>
        error is not null && error.StartsWith("database not found", StringComparison.Ordinal)
            ? $"InfluxDB has no database '{_database}' ({error})"
            : $"InfluxDB refused a query on '{_database}': {error}";

    private void ReadChunk<THandler>(ReadOnlySpan<byte> json, THandler handler) where THandler : ISeriesHandler
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject) throw new InfluxQueryException("InfluxDB's answer is not a JSON object");
        ReadObject(ref reader, handler);
    }

    /// <summary>
    /// The answer <c>{"results":[statement…]}</c> or one statement <c>{"series":[…]}</c>; an <c>error</c> at
    /// either level (InfluxDB reports a failed statement, and a failure in mid-stream, that way) is thrown.
    /// </summary>
    private void ReadObject<THandler>(ref Utf8JsonReader reader, THandler handler) where THandler : ISeriesHandler
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool results = reader.ValueTextEquals("results"u8), series = reader.ValueTextEquals("series"u8), error = reader.ValueTextEquals("error"u8);
            reader.Read();
            if (error) throw new InfluxQueryException(Describe(reader.GetString()));
            if (!results && !series)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                if (results) ReadObject(ref reader, handler);
                else ReadSeries(ref reader, handler);
            }
        }
    }

    private static void ReadSeries<THandler>(ref Utf8JsonReader reader, THandler handler) where THandler : ISeriesHandler
    {
        string site = "", kind = "", vehicleId = "";
        string[]? columns = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("tags"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isSite = reader.ValueTextEquals("site"u8), isKind = reader.ValueTextEquals("kind"u8), isVehicle = reader.ValueTextEquals("vehicle_id"u8);
                    reader.Read();
                    string value = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : "";
                    if (isSite) site = value;
                    else if (isKind) kind = value;
                    else if (isVehicle) vehicleId = value;
                }
            }
            else if (reader.ValueTextEquals("columns"u8))
            {
                reader.Read();
                var list = new List<string>();
                while (reader.Read() && reader.TokenType == JsonTokenType.String) list.Add(reader.GetString()!);
                columns = [.. list];
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                if (columns is null) throw new InfluxQueryException("InfluxDB's answer has values before columns");
                handler.Series(new VehicleKey(site, kind, vehicleId), columns);
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartArray) handler.Row(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>
    /// Cuts a byte stream of concatenated JSON objects (InfluxDB's chunked answer) into whole objects, keeping
    /// only the unfinished one between reads. Tracks nesting and strings, nothing more: each object is then
    /// parsed by <see cref="Utf8JsonReader"/>, which validates it.
    /// </summary>
    private sealed class JsonObjectFramer : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        private int _start, _scanned, _end, _depth;
        private bool _inString, _escaped;

        public byte[] Buffer => _buffer;
        public bool IsEmpty => _buffer.AsSpan(_start, _end - _start).Trim(" \t\r\n"u8).IsEmpty;

        public Memory<byte> FreeSpace()
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _scanned -= _start;
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _end).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
            return _buffer.AsMemory(_end);
        }

        public void Advance(int count) => _end += count;

        public bool TryTakeObject(out int start, out int length)
        {
            for (int i = _scanned; i < _end; i++)
            {
                byte b = _buffer[i];
                if (_inString)
                {
                    if (_escaped) _escaped = false;
                    else if (b == '\\') _escaped = true;
                    else if (b == '"') _inString = false;
                    continue;
                }
                if (b == '"') _inString = true;
                else if (b is (byte)'{' or (byte)'[')
                {
                    if (_depth++ == 0) _start = i;
                }
                else if (b is (byte)'}' or (byte)']' && --_depth == 0)
                {
                    start = _start;
                    length = i + 1 - _start;
                    _start = _scanned = i + 1;
                    return true;
                }
                else if (_depth == 0 && b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                {
                    throw new InfluxQueryException($"InfluxDB's answer is not JSON (byte '{(char)b}' between chunks)");
                }
            }
            _scanned = _end;
            if (_depth == 0) _start = _end;
            start = length = 0;
            return false;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
