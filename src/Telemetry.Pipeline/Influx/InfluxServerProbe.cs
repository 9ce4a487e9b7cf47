using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Telemetry.Pipeline.Influx;

/// <summary>What a server's <c>/ping</c> says: the API that fits it, and the version and build it reports.</summary>
/// <param name="Api">V1, V2 or V3, never Auto</param>
/// <param name="Version">X-Influxdb-Version (or the JSON body's version), null when the server names none</param>
/// <param name="Build">X-Influxdb-Build: OSS (2.x), Core or Enterprise (3.x); null when absent</param>
public sealed record InfluxServerInfo(InfluxApi Api, string? Version, string? Build)
{
    public override string ToString() => $"{Version ?? "(no version)"}{(Build is null ? "" : " " + Build)}";
}

/// <summary>
/// Tells InfluxDB 1.x, 2.x and 3.x apart from <c>GET /ping</c>, and builds the Authorization header each expects.
/// Used by the gateway at start-up and by anything else that must talk to "whatever InfluxDB is at this URL".
/// </summary>
/// <remarks>
/// What each answers (1.6.7 run here; 2.x and 3.x from their documentation and source):
/// 1.x: 204, <c>X-Influxdb-Version: 1.…</c>. 2.x: 204, <c>X-Influxdb-Version: v2.…</c>, <c>X-Influxdb-Build: OSS</c>.
/// 3.x: 200 with a JSON body (<c>version</c>, <c>revision</c>, <c>process_id</c>), <c>X-Influxdb-Version: 3.…</c>,
/// <c>X-Influxdb-Build: Core|Enterprise</c>; from 3.10 <c>/ping</c> needs the token (401 without).
/// Servers that only emulate the write API (VictoriaMetrics) answer 204 with no version: treated as v2.
/// </remarks>
public static class InfluxServerProbe
{
    /// <summary>Asks <c>/ping</c>; throws <see cref="InfluxStartupException"/> when the answer calls for a setting to change.</summary>
    /// <exception cref="HttpRequestException">the server did not answer (worth retrying)</exception>
    public static async Task<InfluxServerInfo> PingAsync(HttpClient http, InfluxOptions options, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "ping");
        request.Headers.Authorization = PingAuthorization(options);
        using var response = await http.SendAsync(request, ct);
        string body = await response.Content.ReadAsStringAsync(ct);
        string? version = Header(response, "X-Influxdb-Version");
        string? build = Header(response, "X-Influxdb-Build");

        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new InfluxStartupException(options.Token.Length == 0
                ? $"InfluxDB at {options.Url} wants a token for /ping (401; InfluxDB 3.10 and later do): set {InfluxOptions.Section}:Token (or {InfluxOptions.Section}:TokenFile), or set {InfluxOptions.Section}:Api to skip the version check"
                : $"InfluxDB at {options.Url} refused the token in {InfluxOptions.Section}:Token on /ping (401): check the token", retryable: false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new InfluxStartupException(
                $"{options.Url} has no /ping (404 {Shorten(body)}): is {InfluxOptions.Section}:Url an InfluxDB? Set {InfluxOptions.Section}:Api (V1, V2 or V3) to skip the version check", retryable: false);
        if (!response.IsSuccessStatusCode)
            throw new InfluxStartupException($"InfluxDB at {options.Url} answered /ping with {(int)response.StatusCode} {Shorten(body)}", retryable: true);

        if (response.StatusCode == HttpStatusCode.OK && version is null) version = JsonVersion(body);
        return new InfluxServerInfo(ApiFor(version), version, build);
    }

    /// <summary>1.x → V1, 3.x → V3, anything else (2.x, no version at all) → V2.</summary>
    public static InfluxApi ApiFor(string? version)
    {
        if (version is null) return InfluxApi.V2;
        var v = version.AsSpan().TrimStart('v');
        if (v.StartsWith("1.")) return InfluxApi.V1;
        if (v.StartsWith("3.")) return InfluxApi.V3;
        return InfluxApi.V2;
    }

    /// <summary>
    /// The header each API expects: v2 <c>Token</c>, v3 <c>Bearer</c> (3.x also takes Token and Basic, early 3.0
    /// releases only Bearer), v1 HTTP basic from Username/Password; null when no credentials are set.
    /// </summary>
    public static AuthenticationHeaderValue? Authorization(InfluxOptions options, InfluxApi api)
    {
        if (options.Token.Length > 0 && api == InfluxApi.V3) return new AuthenticationHeaderValue("Bearer", options.Token);
        if (options.Token.Length > 0 && api == InfluxApi.V2) return new AuthenticationHeaderValue("Token", options.Token);
        if (options.Username.Length > 0)
            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        return null;
    }

    /// <summary>Before the version is known: Bearer when there is a token (1.x and 2.x ignore it on /ping, 3.10+ needs it).</summary>
    public static AuthenticationHeaderValue? PingAuthorization(InfluxOptions options) =>
        Authorization(options, options.Api == InfluxApi.Auto ? InfluxApi.V3 : options.Api);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string? JsonVersion(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Shorten(string body) => body.Length > 300 ? body[..300] + "…" : body.Trim();
}
