using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Telemetry.Pipeline.Tests.InfluxDb3;

/// <summary>
/// A real HTTP server on 127.0.0.1 that answers as InfluxDB 3 Core documents it: no InfluxDB 3 can be
/// installed on our machines (Debian ships 1.6.7 only), so the v3 paths are tested against this.
/// </summary>
/// <remarks>
/// Sources: the Core documentation (write-data/troubleshoot, write-data/http-api/v3-write-lp, admin/databases)
/// and influxdb3_server/src/http.rs (routes, status codes, bodies), influxdb3_catalog's error texts, and
/// shared/design/environment.md. What it does, as 3.x does:
/// <list type="bullet">
/// <item>GET|POST /ping: 200, JSON {version, revision, process_id}, X-Influxdb-Version, X-Influxdb-Build;
/// from 3.10 only with the token (401, empty body, without). HEAD /ping: 404 "not found".</item>
/// <item>Tokens as <c>Bearer</c>, <c>Token</c> or <c>Basic</c> (password = token): none → 401 empty;
/// unknown → 401 empty; a token that may not write → 403 empty; another scheme → 400 {"error": "Authorization header was malformed…"}.</item>
/// <item>POST /api/v3/write_lp?db=&amp;precision=&amp;accept_partial=&amp;no_sync=: precision takes auto, second,
/// millisecond, microsecond, nanosecond only (anything else: 400 "serde error: unknown variant …");
/// gzip or identity; a body above the request limit (10 MiB): 500 "max request size (N bytes) exceeded";
/// a missing database is created. 204 when every line was stored; with accept_partial (default) bad lines
/// are refused and the rest stored: 400 {"error":"partial write of line protocol occurred","data":[…]}
/// listing at most 100 lines (422 when a schema limit was hit); with accept_partial=false nothing is stored
/// and the first bad line is answered as {"error":"parsing failed for write_lp endpoint","data":{…}}.</item>
/// <item>A field keeps the type it was first written with: "invalid column type for column 'x', expected
/// iox::column_type::field::float, got iox::column_type::field::string". Floats with an exponent are refused.</item>
/// <item>POST /api/v3/configure/database {"db":…}: 200 empty; exists → 409 "attempted to create a resource
/// that already exists"; a bad name → 400 {"error":…,"data":null}.</item>
/// <item>Anything else (e.g. /api/v2/buckets): 404 "not found".</item>
/// </list>
/// </remarks>
public sealed class InfluxDb3Emulator : IDisposable
{
    public sealed class Settings
    {
        public string Version { get; set; } = "3.10.0";
        /// <summary>Core or Enterprise.</summary>
        public string Build { get; set; } = "Core";
        /// <summary>The admin token; null: the server runs without authentication (--without-auth).</summary>
        public string? Token { get; set; }
        /// <summary>A token that may read but not write or create databases (403).</summary>
        public string? ReadOnlyToken { get; set; }
        /// <summary>InfluxDB 3.10 and later authenticate /ping.</summary>
        public bool PingNeedsToken { get; set; } = true;
        /// <summary>false: a 3.x build without /api/v3/configure/database (404).</summary>
        public bool HasConfigureDatabase { get; set; } = true;
        /// <summary>--max-http-request-size.</summary>
        public int MaxRequestBytes { get; set; } = 10 * 1024 * 1024;
        /// <summary>--num-total-columns-per-table-limit.</summary>
        public int MaxColumnsPerTable { get; set; } = 500;
        /// <summary>Quote at most this many characters of a refused line in original_line (null: the whole line).</summary>
        public int? OriginalLineMaxChars { get; set; }
    }

    public sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Authorization,
        string? ContentEncoding, string Body);

    public sealed record Reply(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null);

    /// <summary>One stored point; field values are double, long, ulong, string or bool.</summary>
    public sealed record Row(string Table, IReadOnlyDictionary<string, string> Tags, IReadOnlyDictionary<string, object> Fields, long TimeNs);

    private const string PartialWrite = "partial write of line protocol occurred";
    private const int ListLimit = 100;
    private static readonly string[] Precisions = ["auto", "second", "millisecond", "microsecond", "nanosecond"];

    private readonly HttpListener _listener;
    private readonly Settings _settings;
    private readonly Task _loop;
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly Dictionary<string, Database> _databases = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private InfluxDb3Emulator(HttpListener listener, Uri url, Settings settings)
    {
        _listener = listener;
        _settings = settings;
        Url = url;
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }
    public Settings Options => _settings;
    public IReadOnlyList<Request> Requests => _requests.ToArray();

    /// <summary>Answers before the normal handling when it returns a reply (scripted 503s, odd answers); called for every request.</summary>
    public Func<Request, Reply?>? Override { get; set; }

    public static InfluxDb3Emulator Start(Action<Settings>? configure = null)
    {
        var settings = new Settings();
        configure?.Invoke(settings);
        for (int attempt = 1; ; attempt++)
        {
            int port = FreeLoopbackPort();
            var listener = new HttpListener();
            var url = new Uri($"http://127.0.0.1:{port}/");
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new InfluxDb3Emulator(listener, url, settings);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public IReadOnlyCollection<string> Databases
    {
        get { lock (_lock) return _databases.Keys.ToArray(); }
    }

    public IReadOnlyList<Row> Rows(string database, string table)
    {
        lock (_lock)
            return _databases.TryGetValue(database, out var db) && db.Tables.TryGetValue(table, out var t) ? t.Points.Values.ToArray() : [];
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var http = context.Request;
        var raw = new MemoryStream();
        await http.InputStream.CopyToAsync(raw);
        var query = ParseQuery(http.Url!.Query);
        string? encoding = http.Headers["Content-Encoding"];
        var request = new Request(http.HttpMethod, http.Url.AbsolutePath, query, http.Headers["Authorization"], encoding,
            TryDecode(raw.ToArray(), encoding));
        _requests.Enqueue(request);

        Reply reply;
        try
        {
            reply = Override?.Invoke(request) ?? Route(request, raw.ToArray());
        }
        catch (Exception e)
        {
            reply = new Reply(500, e.Message);
        }
        var response = context.Response;
        response.StatusCode = reply.Status;
        response.Headers["Access-Control-Allow-Origin"] = "*";
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>()) response.Headers[name] = value;
        var body = Encoding.UTF8.GetBytes(reply.Body);
        if (body.Length > 0 && reply.Status != 204)
        {
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        }
        response.Close();
    }

    private Reply Route(Request request, byte[] raw)
    {
        bool isPing = request.Path == "/ping" && request.Method is "GET" or "POST";
        if (!isPing || _settings.PingNeedsToken)
        {
            var refused = Authenticate(request, out bool mayWrite);
            if (refused is not null) return refused;
            if (!mayWrite && request.Method == "POST" && request.Path.StartsWith("/api/v3/", StringComparison.Ordinal) && !request.Path.StartsWith("/api/v3/query", StringComparison.Ordinal))
                return new Reply(403);
        }
        return (request.Method, request.Path) switch
        {
            (_, "/ping") when isPing => Ping(),
            ("GET", "/health" or "/api/v1/health") => new Reply(200, "OK"),
            ("POST", "/api/v3/write_lp") => WriteLp(request, raw),
            ("POST", "/api/v3/configure/database") when _settings.HasConfigureDatabase => CreateDatabase(request),
            _ => new Reply(404, "not found"),
        };
    }

    private Reply? Authenticate(Request request, out bool mayWrite)
    {
        mayWrite = true;
        if (_settings.Token is null) return null;
        if (request.Authorization is not { } header) return new Reply(401);
        var parts = header.Split(' ');
        string? token = parts.Length != 2 ? null : parts[0] switch
        {
            "Bearer" or "Token" => parts[1],
            "Basic" => BasicPassword(parts[1]),
            _ => null,
        };
        if (token is null)
            return new Reply(400, """{"error": "Authorization header was malformed, the request was not in the form of 'Authorization: <auth-scheme> <token>', supported auth-schemes are Bearer, Token and Basic"}""");
        if (token == _settings.Token) return null;
        if (token == _settings.ReadOnlyToken)
        {
            mayWrite = false;
            return null;
        }
        return new Reply(401);
    }

    private static string? BasicPassword(string encoded)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            int colon = text.IndexOf(':');
            return colon < 0 ? null : text[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private Reply Ping()
    {
        string requestId = Guid.CreateVersion7().ToString();
        var body = JsonSerializer.Serialize(new { version = _settings.Version, revision = "3f1e2c9", process_id = "0193a5c8-7b2e-7c4d-9a51-6f0e2d3b4a17" });
        return new Reply(200, body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            ["Request-Id"] = requestId,
            ["X-Influxdb-Build"] = _settings.Build,
            ["X-Influxdb-Version"] = _settings.Version,
            ["X-Request-Id"] = requestId,
        });
    }

    private Reply CreateDatabase(Request request)
    {
        string? name;
        try
        {
            using var json = JsonDocument.Parse(request.Body);
            name = json.RootElement.TryGetProperty("db", out var db) && db.ValueKind == JsonValueKind.String ? db.GetString() : null;
        }
        catch (JsonException e)
        {
            return new Reply(400, $"serde json error: {e.Message}");
        }
        if (name is null) return new Reply(400, "serde json error: missing field `db`");
        if (DatabaseNameError(name) is { } error) return new Reply(400, ErrorBody(error));
        lock (_lock)
        {
            if (_databases.ContainsKey(name)) return new Reply(409, "attempted to create a resource that already exists");
            _databases[name] = new Database();
        }
        return new Reply(200);
    }

    private Reply WriteLp(Request request, byte[] raw)
    {
        var q = request.Query;
        if (q.Count == 0) return new Reply(400, "missing query parameter 'db'");
        if (!q.TryGetValue("db", out var dbName)) return new Reply(400, "serde error: missing field `db`");
        string precision = q.GetValueOrDefault("precision", "auto");
        if (!Precisions.Contains(precision))
            return new Reply(400, $"serde error: unknown variant `{precision}`, expected one of {string.Join(", ", Precisions.Select(p => $"`{p}`"))}");
        foreach (var flag in new[] { "accept_partial", "no_sync" })
            if (q.TryGetValue(flag, out var value) && value is not ("true" or "false"))
                return new Reply(400, $"serde error: invalid value: string \"{value}\", expected a boolean");
        bool acceptPartial = q.GetValueOrDefault("accept_partial", "true") == "true";
        if (DatabaseNameError(dbName) is { } nameError) return new Reply(400, ErrorBody(nameError));

        if (raw.Length > _settings.MaxRequestBytes) return TooLarge();
        byte[] body;
        switch (request.ContentEncoding)
        {
            case null or "identity":
                body = raw;
                break;
            case "gzip":
                using (var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress))
                {
                    var decoded = new MemoryStream();
                    try
                    {
                        gzip.CopyTo(decoded);
                    }
                    catch (InvalidDataException e)
                    {
                        return new Reply(500, $"error decoding gzip stream: {e.Message}");
                    }
                    body = decoded.ToArray();
                }
                break;
            default:
                return new Reply(400, $"unacceptable content-encoding: {request.ContentEncoding}");
        }
        if (body.Length > _settings.MaxRequestBytes) return TooLarge();
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException e)
        {
            return new Reply(500, $"body content is not valid utf8: {e.Message}");
        }

        long nowNs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var errors = new List<(string Original, int Number, string Message)>();
        lock (_lock)
        {
            if (!_databases.TryGetValue(dbName, out var database)) database = new Database();
            // Columns are checked line by line (a line may add a column the next one must match); points are
            // stored only once the whole request is checked, so that accept_partial=false stores nothing.
            var schema = database.CopyColumns();
            var valid = new List<LineProtocolReader.Point>();
            var physical = text.Split('\n');
            int count = text.EndsWith('\n') ? physical.Length - 1 : physical.Length;
            for (int i = 0; i < count; i++)
            {
                string line = physical[i].TrimEnd('\r');
                if (line.Length == 0 || line.StartsWith('#')) continue;
                var error = LineProtocolReader.TryParse(line, precision, nowNs, out var point) ?? Database.Check(schema, point!, _settings.MaxColumnsPerTable);
                if (error is null)
                {
                    valid.Add(point!);
                    continue;
                }
                if (!acceptPartial)
                    return new Reply(400, JsonSerializer.Serialize(new
                    {
                        error = "parsing failed for write_lp endpoint",
                        data = new { original_line = Quote(line), line_number = i + 1, error_message = error },
                    }));
                errors.Add((Quote(line), i + 1, error));
            }
            database.Store(schema, valid);
            _databases[dbName] = database;
        }
        if (errors.Count == 0) return new Reply(204);
        bool limitHit = errors.Any(e => e.Message.StartsWith("Update to schema would exceed number of", StringComparison.Ordinal) ||
                                        e.Message.StartsWith("Adding a new database would exceed limit of", StringComparison.Ordinal));
        return new Reply(limitHit ? 422 : 400, JsonSerializer.Serialize(new
        {
            error = PartialWrite,
            data = errors.Take(ListLimit).Select(e => new { original_line = e.Original, line_number = e.Number, error_message = e.Message }),
        }));
    }

    private Reply TooLarge() => new(500, $"max request size ({_settings.MaxRequestBytes} bytes) exceeded");

    private string Quote(string line) => _settings.OriginalLineMaxChars is { } max && line.Length > max ? line[..max] : line;

    private static string ErrorBody(string error) => JsonSerializer.Serialize(new { error, data = (object?)null });

    private static string? DatabaseNameError(string name)
    {
        if (name.Length == 0) return "db name cannot be empty";
        if (!char.IsAsciiLetterOrDigit(name[0])) return "db name did not start with a number or letter";
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            return "invalid character in database name: must be ASCII, containing only letters, numbers, underscores, or hyphens";
        return null;
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            result[key] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
        }
        return result;
    }

    private static string TryDecode(byte[] raw, string? encoding)
    {
        try
        {
            if (encoding != "gzip") return Encoding.UTF8.GetString(raw);
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (InvalidDataException)
        {
            return "";
        }
    }

    private sealed class Database
    {
        public Dictionary<string, Table> Tables { get; } = new(StringComparer.Ordinal);

        /// <summary>Table → column → type ("tag", "field::float", …).</summary>
        public Dictionary<string, Dictionary<string, string>> CopyColumns() =>
            Tables.ToDictionary(t => t.Key, t => new Dictionary<string, string>(t.Value.Columns, StringComparer.Ordinal), StringComparer.Ordinal);

        /// <summary>Checks the point against its table's columns, adding new ones; an error text if refused.</summary>
        public static string? Check(Dictionary<string, Dictionary<string, string>> schema, LineProtocolReader.Point point, int maxColumns)
        {
            if (!schema.TryGetValue(point.Table, out var columns)) columns = new Dictionary<string, string>(StringComparer.Ordinal);
            var added = new List<(string Name, string Type)>();
            foreach (var tag in point.Tags.Keys)
            {
                if (columns.TryGetValue(tag, out var type))
                {
                    if (type != "tag") return $"invalid column type for column '{tag}', expected iox::column_type::{type}, got iox::column_type::tag";
                }
                else added.Add((tag, "tag"));
            }
            foreach (var (field, value) in point.Fields)
            {
                string type = "field::" + LineProtocolReader.TypeName(value);
                if (columns.TryGetValue(field, out var existing))
                {
                    if (existing != type) return $"invalid column type for column '{field}', expected iox::column_type::{existing}, got iox::column_type::{type}";
                }
                else added.Add((field, type));
            }
            // The time column counts towards the limit too.
            if (columns.Count + 1 + added.Count > maxColumns)
                return $"Update to schema would exceed number of columns per table limit of {maxColumns} columns";
            foreach (var (name, type) in added) columns[name] = type;
            schema[point.Table] = columns;
            return null;
        }

        /// <summary>A point written again for the same series and time keeps one row, its fields merged (last write wins).</summary>
        public void Store(Dictionary<string, Dictionary<string, string>> schema, List<LineProtocolReader.Point> points)
        {
            foreach (var (name, columns) in schema)
            {
                if (!Tables.TryGetValue(name, out var table)) Tables[name] = table = new Table();
                foreach (var (column, type) in columns) table.Columns[column] = type;
            }
            foreach (var point in points)
            {
                var table = Tables[point.Table];
                string key = string.Join(',', point.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")) + " " + point.TimeNs;
                if (table.Points.TryGetValue(key, out var previous))
                {
                    var merged = new Dictionary<string, object>(previous.Fields);
                    foreach (var (field, value) in point.Fields) merged[field] = value;
                    table.Points[key] = previous with { Fields = merged };
                }
                else table.Points[key] = new Row(point.Table, point.Tags, point.Fields, point.TimeNs);
            }
        }
    }

    private sealed class Table
    {
        public Dictionary<string, string> Columns { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Row> Points { get; } = new(StringComparer.Ordinal);
    }
}
