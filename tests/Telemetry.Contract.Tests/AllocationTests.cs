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
        ("fleet/bkk/emoto/EM-1/lp", Encoding.UTF8.GetBytes(
            "# a gateway's batch\r\ntelemetry,site=x seq=7i,speed_kmh=38.5,lat=13.7563,ignition=T,battery_id=\"BP-\\\"1\\\"\",lon=1e-3,alt_m=.5 1795593600000\r\n" +
            "events,type=battery_swap soc_pct=96u,message=\"a\\\\b\" 1795593660000\nstatus online=false\ntelemetry sp\\ eed=1,lean_deg=99 1795593600000\n")),
        ("fleet/bkk/emoto/EM-1/lp", Encoding.UTF8.GetBytes("telemetry lat=1\nweather t=1")),
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

    /// <summary>
    /// Decodes <paramref name="first"/> once, the messages <paramref name="warmUp"/> rounds, then <paramref name="rounds"/>
    /// more counting the bytes this thread allocates.
    /// </summary>
    private static (long Allocated, int Points, int Rejections) Measure((string Topic, byte[] Payload)[] messages, int warmUp, int rounds,
        (string Topic, byte[] Payload)[]? first = null)
    {
        var decoder = new PayloadDecoder(TestCatalogue.Shipped);
        using var output = new LineBuffer(1 << 20);
        var sink = new CountingSink();
        int points = 0;

        void Run(int count)
        {
            for (int i = 0; i < count; i++)
            {
                foreach (var (topic, payload) in messages)
                {
                    points += decoder.Decode(topic, payload, false, TestCatalogue.Now, output, ref sink).Points;
                    if (output.Length > 512 * 1024) output.Clear();
                }
            }
        }

        var all = messages;
        messages = first ?? [];
        Run(1);
        messages = all;
        Run(warmUp); // JIT tiers, scratch buffers grown to size
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(rounds);
        return (GC.GetAllocatedBytesForCurrentThread() - before, points, sink.Count);
    }

    [Fact]
    public void Decoding_and_encoding_allocates_zero_bytes_per_message()
    {
        var (allocated, points, rejections) = Measure(Messages, warmUp: 200, rounds: 5000);
        Assert.True(points >= 5200 * 5, $"only {points} points decoded");
        Assert.True(rejections > 10_000);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void After_a_pack_larger_than_usual_small_packs_still_allocate_nothing()
    {
        // 1,200 records, two per time: 600 points, far beyond the usual size of every buffer of the pack.
        var records = Enumerable.Range(0, 1200)
            .Select(i => new SenmlRecord().Add("bt", 1795593000.0).Add("n", i < 600 ? "speed_kmh" : "lat").Add("t", (double)(i % 600)).Add("v", 1.0 + i % 7))
            .ToArray();
        (string Topic, byte[] Payload)[] large =
        [
            ("fleet/bkk/emoto/EM-1/senml", SenmlEncoder.Json(records)),
            ("fleet/bkk/emoto/EM-1/senml-cbor", SenmlEncoder.Cbor(records, indefinite: true)),
        ];
        (string Topic, byte[] Payload)[] small =
        [
            ("fleet/bkk/emoto/EM-1/senml", SenmlEncoder.Json(SenmlPack)),
            ("fleet/bkk/emoto/EM-1/senml-cbor", SenmlEncoder.Cbor(SenmlPack)),
        ];
        // The first small packs give the grown arrays back to the pool; from then on nothing is rented or allocated.
        // (Alternating large and small packs rents and returns arrays each time: no allocation while the pool keeps
        // them, but the pool is shared with the process and may be trimmed, so that is not asserted.)
        var (allocated, points, _) = Measure(small, warmUp: 20, rounds: 2000, first: large);
        Assert.True(points >= 2 * 600 + 2020 * 2 * 2, $"only {points} points decoded");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_pooled_array_grown_for_one_message_goes_back_once_a_message_uses_little_of_it()
    {
        var array = new PooledArray<byte>(16);
        Assert.Equal(16, array.Items.Length);
        array.Items[0] = 42;
        var grown = array.Grow(100, keep: 1);
        Assert.True(grown.Length >= 100);
        Assert.Equal(42, grown[0]);
        array.Release(used: 100);
        Assert.Same(grown, array.Items);      // still needed: kept
        array.Release(used: 3);
        Assert.Equal(16, array.Items.Length); // mostly empty: back to its usual size
    }
}
