using System.Text;

namespace Telemetry.Benchmarks;

/// <summary>The messages every benchmark decodes: shaped like the contract's examples and the simulator's output.</summary>
internal static class SampleMessages
{
    /// <summary>The gateway's clock during the benchmarks: every <c>ts</c> below is inside the 7-day window.</summary>
    public const long NowUnixMs = 1795593600000;

    public const string TelemetryTopic = "fleet/amata-chonburi/emoto/EM-000123/telemetry";
    public const string EventTopic = "fleet/amata-chonburi/emoto/EM-000123/event";
    public const string StatusTopic = "fleet/amata-chonburi/emoto/EM-000123/status";

    /// <summary>~250 bytes, 16 keys: one sample of a moving e-motorcycle.</summary>
    public static readonly byte[] Telemetry = Encoding.UTF8.GetBytes(TelemetryJson(0));

    public static readonly byte[] TelemetryArray10 = TelemetryArray(10);
    public static readonly byte[] TelemetryArray100 = TelemetryArray(100);

    public static readonly byte[] Event = Encoding.UTF8.GetBytes(
        """{"ts":1795593660000,"type":"battery_swap","battery_id":"BP-88812","station_id":"SW-BKK-031","soc_pct":96.0}""");

    public static readonly byte[] Status = Encoding.UTF8.GetBytes(
        """{"ts":1795593600000,"online":true,"fw":"2.4.1","rssi_dbm":-71}""");

    /// <summary>Sample <paramref name="i"/> of a trip: values move the way a real vehicle's do, so the text varies.</summary>
    public static string TelemetryJson(int i, string? batteryId = null) =>
        "{" +
        $"\"ts\":{NowUnixMs - 60_000 + i * 1000L},\"seq\":{1042 + i}," +
        $"\"speed_kmh\":{38.5 + i % 7 * 0.7:0.0#},\"lat\":{13.7563 + i * 0.00011:0.0####},\"lon\":{100.5018 + i * 0.00009:0.0####}," +
        $"\"heading_deg\":{(271.4 + i * 1.3) % 360:0.0#},\"alt_m\":{12.3 + i % 5 * 0.1:0.0#},\"odo_km\":{18234.7 + i * 0.01:0.0#}," +
        $"\"soc_pct\":{76.2 - i * 0.01:0.0#},\"batt_v\":{72.4 - i % 3 * 0.1:0.0#},\"batt_a\":{-18.3 - i % 9:0.0#},\"batt_temp_c\":{34.1 + i % 4 * 0.1:0.0#}," +
        $"\"motor_rpm\":{4210 + i % 50 * 10},\"motor_temp_c\":{58.2 + i % 6 * 0.1:0.0#},\"ignition\":true,\"charging\":false" +
        (batteryId is null ? "" : $",\"battery_id\":\"{batteryId}\"") +
        "}";

    public const string LineProtocolTopic = "fleet/amata-chonburi/emoto/EM-000123/lp";

    /// <summary>The samples of <see cref="TelemetryJson"/> as a gateway would send them in line protocol: one line each.</summary>
    public static byte[] TelemetryLines(int samples) =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, samples).Select(i => TelemetryLine(i) + "\n")));

    private static string TelemetryLine(int i) =>
        $"telemetry seq={1042 + i}i," +
        $"speed_kmh={38.5 + i % 7 * 0.7:0.0#},lat={13.7563 + i * 0.00011:0.0####},lon={100.5018 + i * 0.00009:0.0####}," +
        $"heading_deg={(271.4 + i * 1.3) % 360:0.0#},alt_m={12.3 + i % 5 * 0.1:0.0#},odo_km={18234.7 + i * 0.01:0.0#}," +
        $"soc_pct={76.2 - i * 0.01:0.0#},batt_v={72.4 - i % 3 * 0.1:0.0#},batt_a={-18.3 - i % 9:0.0#},batt_temp_c={34.1 + i % 4 * 0.1:0.0#}," +
        $"motor_rpm={4210 + i % 50 * 10},motor_temp_c={58.2 + i % 6 * 0.1:0.0#},ignition=true,charging=false {NowUnixMs - 60_000 + i * 1000L}";

    private static byte[] TelemetryArray(int samples) =>
        Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, samples).Select(i => TelemetryJson(i))) + "]");
}
