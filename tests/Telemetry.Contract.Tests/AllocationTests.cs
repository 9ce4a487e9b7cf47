using System.Text;
using Senml.TestEncoder;
using Telemetry.Contract.Decoding;

namespace Telemetry.Contract.Tests;

/// <summary>The hot path allocates nothing per message: asserted, since allocation counts are deterministic.</summary>
public class AllocationTests
{
    private struct CountingSink : IDecodeSink
    {
        public int Count;
        public long SeqSum;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => SeqSum += seq;
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) => Count++;
    }

    private static readonly (string Topic, byte[] Payload)[] Messages =
    [
        ("fleet/amata-chonburi/emoto/EM-000123/telemetry", Encoding.UTF8.GetBytes(
            """{"ts":1795593600123,"seq":1042,"speed_kmh":38.5,"lat":13.7563,"lon":100.5018,"soc_pct":76.2,"batt_v":72.4,"batt_a":-18.3,"batt_temp_c":34.1,"ignition":true,"battery_id":"BP-\u0038812","lean_deg":1e-3}""")),
        ("fleet/map-ta-phut/h2forklift/FL-07/telemetry", Encoding.UTF8.GetBytes(
            """[{"ts":"2026-11-25T15:00:00.123+07:00","fc_state":"run","h2_mass_kg":0.5,"Vehicle.TraveledDistance":1234},{"ts":1795593600000,"load_kg":20,"nope":{"a":[1]}}]""")),
        ("fleet/bkk/emoto/EM-1/event", Encoding.UTF8.GetBytes(
            """{"soc_pct":96,"ts":1795593660000,"type":"battery_swap","message":"say \"hi\""}""")),
        ("fleet/bkk/emoto/EM-1/status", Encoding.UTF8.GetBytes("""{"online":false}""")),
        ("fleet/bkk/emoto/EM-1/telemetry", Encoding.UTF8.GetBytes("""{"ts":1795593600000,"speed_kmh":999,"speed_kmh":1}""")),
        ("fleet/bkk/emoto/EM 1/telemetry", Encoding.UTF8.GetBytes("""{"speed_kmh":1}""")),
        ("fleet/bkk/emoto/EM-1/senml", SenmlEncoder.Json(SenmlPack)),
        ("fleet/bkk/emoto/EM-1/senml-cbor", SenmlEncoder.Cbor(SenmlPack)),
        ("fleet/bkk/emoto/EM-1/senml-cbor", SenmlEncoder.Cbor(SenmlPack, textLabels: true, indefinite: true)),
        ("fleet/bkk/emoto/EM-1/senml", Encoding.UTF8.GetBytes("""[{"bn":"Vehicle.","n":"Sp\u0065ed","u":"km/h","v":1},{"n":"x","vs":"\u00e9"},{"bver":11}]""")),
    ];

    private static SenmlRecord[] SenmlPack =>
    [
        new SenmlRecord().Add("bn", "Vehicle.").Add("bt", 1795593590.5).Add("n", "Speed").Add("u", "km/h").Add("v", 38.5),
        new SenmlRecord().Add("bn", "").Add("n", "seq").Add("v", 7L),
        new SenmlRecord().Add("n", "battery_id").Add("vs", "BP-1"),
        new SenmlRecord().Add("n", "ignition").Add("t", 1).Add("vb", true),
        new SenmlRecord().Add("n", "nope").Add("t", 2).Add("v", 1),
        new SenmlRecord().Add("n", "soc_pct").Add("u", "V").Add("t", 2).Add("v", 1),
    ];

    [Fact]
    public void Decoding_and_encoding_allocates_zero_bytes_per_message()
    {
        var decoder = new PayloadDecoder(TestCatalogue.Shipped);
        using var output = new LineBuffer(1 << 20);
        var sink = new CountingSink();
        int points = 0;

        void Run(int rounds)
        {
            for (int i = 0; i < rounds; i++)
            {
                foreach (var (topic, payload) in Messages)
                {
                    points += decoder.Decode(topic, payload, false, TestCatalogue.Now, output, ref sink).Points;
                    if (output.Length > 512 * 1024) output.Clear();
                }
            }
        }

        Run(200); // warm-up: JIT tiers, scratch buffers grown to size
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(5000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(points >= 5200 * 5, $"only {points} points decoded");
        Assert.True(sink.Count > 10_000);
        Assert.Equal(0, allocated);
    }
}
