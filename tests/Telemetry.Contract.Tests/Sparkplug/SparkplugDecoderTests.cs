using System.Text;
using Google.Protobuf;
using Org.Eclipse.Tahu.Protobuf;
using Telemetry.Contract.Decoding;
using Telemetry.Contract.Sparkplug;
using Metric = Org.Eclipse.Tahu.Protobuf.Payload.Types.Metric;

namespace Telemetry.Contract.Tests.Sparkplug;

/// <summary>Wire contract section 5, rule by rule: payloads encoded by Google.Protobuf, through the gateway's decoder.</summary>
public class SparkplugDecoderTests
{
    private const long Now = TestCatalogue.Now;
    private const string Site = "laem-chabang";

    private readonly PayloadDecoder _decoder = new(TestCatalogue.Shipped, sparkplug: new SparkplugOptions { MaxAliasTables = 6 });
    private long _clock = Now;

    private struct RecordingSink : IDecodeSink
    {
        public StringBuilder Log;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Log.Append($"point {objectIndex};");
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) =>
            Log.Append($"{reason.Name()} {objectIndex} {Encoding.UTF8.GetString(key)};");
    }

    private (string Lines, string Findings, DecodeOutcome Outcome) Send(string type, string node, string? device, Payload payload)
    {
        string topic = $"spBv1.0/{Site}/{type}/{node}" + (device is null ? "" : "/" + device);
        using var output = new LineBuffer(4096);
        var sink = new RecordingSink { Log = new StringBuilder() };
        var outcome = _decoder.Decode(topic, payload.ToByteArray(), false, _clock, output, ref sink);
        return (Encoding.UTF8.GetString(output.WrittenSpan), sink.Log.ToString(), outcome);
    }

    private static Metric Named(string name, uint datatype, ulong alias) => new() { Name = name, Alias = alias, Datatype = datatype };

    private static Payload Birth(ulong bdSeq, string? kind, params Metric[] metrics)
    {
        var payload = new Payload { Timestamp = Now - 500, Seq = 0 };
        payload.Metrics.Add(new Metric { Name = "bdSeq", Datatype = 8, LongValue = bdSeq });
        payload.Metrics.Add(new Metric { Name = "Node Control/Rebirth", Datatype = 11, BooleanValue = false });
        if (kind is not null) payload.Metrics.Add(new Metric { Name = "kind", Datatype = 12, StringValue = kind });
        payload.Metrics.AddRange(metrics);
        return payload;
    }

    private static Payload Data(ulong seq, params Metric[] metrics)
    {
        var payload = new Payload { Timestamp = Now - 100, Seq = seq };
        payload.Metrics.AddRange(metrics);
        return payload;
    }

    private static Metric Float(ulong alias, float value) => new() { Alias = alias, FloatValue = value };

    private void BirthForklift(string node = "FL-07", ulong bdSeq = 1) =>
        Assert.Equal("point 0;", Send("NBIRTH", node, null, Birth(bdSeq, "h2forklift",
            Named("Vehicle/Speed", 9, 1), Named("lift_height_m", 9, 2), Named("load_kg", 10, 3), Named("fc_state", 12, 4),
            Named("seq", 7, 5), Named("Vehicle/Powertrain/TractionBattery/Charging/IsCharging", 11, 6), Named("hour_meter_h", 4, 7))).Findings);

    [Fact]
    public void An_nbirth_writes_the_vehicle_online_at_its_time_and_declares_the_aliases()
    {
        var (lines, findings, outcome) = Send("NBIRTH", "FL-07", null, Birth(1, "h2forklift", Named("Vehicle/Speed", 9, 1)));
        Assert.Equal($"status,kind=h2forklift,site={Site},vehicle_id=FL-07 online=true {Now - 500}\n", lines);
        Assert.Equal("point 0;", findings);
        Assert.Equal(1, outcome.Points);
    }

    [Fact]
    public void Data_by_alias_is_one_telemetry_point_with_catalogue_fields_and_the_study_seq()
    {
        BirthForklift();
        var (lines, findings, _) = Send("NDATA", "FL-07", null, Data(1,
            Float(1, 12.5f), Float(2, 1.2f), new Metric { Alias = 3, DoubleValue = 850 }, new Metric { Alias = 4, StringValue = "run" },
            new Metric { Alias = 5, IntValue = 1042 }, new Metric { Alias = 6, BooleanValue = true }, new Metric { Alias = 7, LongValue = 3 }));
        Assert.Equal("point 0;", findings);
        Assert.Equal($"telemetry,kind=h2forklift,site={Site},vehicle_id=FL-07 speed_kmh=12.5,lift_height_m=1.2,load_kg=850,fc_state=\"run\",seq=1042i,charging=true,hour_meter_h=3 {Now - 100}\n", lines);
    }

    [Fact]
    public void Metrics_at_different_times_are_points_of_their_own_historical_ones_included()
    {
        BirthForklift();
        var (lines, findings, outcome) = Send("NDATA", "FL-07", null, Data(1,
            new Metric { Alias = 1, Timestamp = Now - 3000, FloatValue = 1, IsHistorical = true },
            new Metric { Alias = 2, Timestamp = Now - 3000, FloatValue = 2, IsHistorical = true },
            Float(1, 3), Float(2, 4)));
        Assert.Equal(2, outcome.Points);
        Assert.Equal("point 0;point 1;", findings);
        Assert.Equal(
            $"telemetry,kind=h2forklift,site={Site},vehicle_id=FL-07 speed_kmh=1,lift_height_m=2 {Now - 3000}\n" +
            $"telemetry,kind=h2forklift,site={Site},vehicle_id=FL-07 speed_kmh=3,lift_height_m=4 {Now - 100}\n", lines);
    }

    [Fact]
    public void Data_by_name_reads_slashes_as_dots_and_sparkplug_own_metrics_are_not_written()
    {
        BirthForklift();
        var (lines, findings, _) = Send("NDATA", "FL-07", null, Data(1,
            new Metric { Name = "Vehicle/Powertrain/TractionBattery/StateOfCharge/Current", Datatype = 10, DoubleValue = 76.5 },
            new Metric { Name = "bdSeq", Datatype = 8, LongValue = 1 }, new Metric { Name = "Node Control/Next Server", Datatype = 11, BooleanValue = true },
            new Metric { Name = "Properties/Hardware", Datatype = 12, StringValue = "x" }));
        Assert.Equal($"telemetry,kind=h2forklift,site={Site},vehicle_id=FL-07 soc_pct=76.5 {Now - 100}\n", lines);
        Assert.Equal("unknown_key 0 Properties/Hardware;point 0;", findings);
    }

    [Theory]
    [InlineData(1u, "speed_kmh", -5, "field_invalid")] // Int8 -5: below the range
    [InlineData(2u, "speed_kmh", 30, "speed_kmh=30")]  // an integer datatype for a float signal: a float
    [InlineData(10u, "passengers", 12, "field_invalid")] // a Double for an integer signal
    [InlineData(7u, "passengers", 12, "passengers=12i")]
    [InlineData(13u, "speed_kmh", 30, "field_invalid")] // DateTime is not a catalogue type
    [InlineData(17u, "speed_kmh", 30, "field_invalid")] // Bytes
    public void Datatypes_map_to_catalogue_types(uint datatype, string name, int value, string expected)
    {
        Send("NBIRTH", "BUS-1", null, Birth(1, "h2bus", Named(name, datatype, 1), Named("door_open", 11, 2)));
        var metric = new Metric { Alias = 1 };
        switch (datatype)
        {
            case 10: metric.DoubleValue = value; break;
            case 17: metric.BytesValue = ByteString.CopyFrom(1); break;
            case 4 or 8 or 13: metric.LongValue = (ulong)value; break;
            default: metric.IntValue = unchecked((uint)value); break;
        }
        var (lines, findings, _) = Send("NDATA", "BUS-1", null, Data(1, metric, new Metric { Alias = 2, BooleanValue = false }));
        if (expected == "field_invalid") Assert.Contains($"field_invalid 0 {name};", findings);
        else Assert.Contains(expected, lines);
    }

    [Fact]
    public void Values_out_of_their_datatype_or_null_are_not_written()
    {
        Send("NBIRTH", "BUS-1", null, Birth(1, "h2bus", Named("passengers", 5, 1), Named("door_open", 11, 2), Named("speed_kmh", 9, 3),
            Named("h2_mass_kg", 9, 4)));
        var (lines, findings, _) = Send("NDATA", "BUS-1", null, Data(1,
            new Metric { Alias = 1, IntValue = 300 },                 // UInt8 of 300
            new Metric { Alias = 2, StringValue = "true" },           // a Boolean sent as a string member
            new Metric { Alias = 3, IsNull = true },
            Float(4, 7.25f)));
        Assert.Equal($"telemetry,kind=h2bus,site={Site},vehicle_id=BUS-1 h2_mass_kg=7.25 {Now - 100}\n", lines);
        Assert.Equal("field_invalid 0 passengers;field_invalid 0 door_open;point 0;", findings);
    }

    [Fact]
    public void An_unknown_alias_rejects_the_data_and_asks_the_node_to_rebirth()
    {
        BirthForklift();
        var (lines, findings, _) = Send("NDATA", "FL-07", null, Data(1, Float(1, 3), Float(99, 1)));
        Assert.Equal("", lines);
        Assert.Equal("sparkplug_unknown_alias -1 ;", findings);
        Assert.True(_decoder.Sparkplug.RebirthRequests.TryDequeue(out var request));
        Assert.Equal((Site, "FL-07"), request);
        Assert.Equal(1, _decoder.Sparkplug.Counters.RebirthsRequested(RebirthCause.UnknownAlias));
    }

    [Fact]
    public void Data_before_any_birth_is_refused_and_a_rebirth_asked_for_once_per_interval()
    {
        Assert.Equal("sparkplug_no_birth -1 ;", Send("NDATA", "FL-09", null, Data(4, Float(1, 3))).Findings);
        Assert.Equal("sparkplug_no_birth -1 ;", Send("DDATA", "DEPOT-1", "FL-10", Data(4, Float(1, 3))).Findings);
        _clock += 1000;
        Send("NDATA", "FL-09", null, Data(5, Float(1, 3)));
        Assert.Equal(2, _decoder.Sparkplug.RebirthRequests.Count);
        _clock += 5000;
        Send("NDATA", "FL-09", null, Data(6, Float(1, 3)));
        Assert.Equal(3, _decoder.Sparkplug.RebirthRequests.Count);
    }

    [Fact]
    public void A_seq_gap_not_filled_within_the_reorder_timeout_asks_for_a_rebirth()
    {
        BirthForklift();
        Send("NDATA", "FL-07", null, Data(1, Float(1, 1)));
        Send("NDATA", "FL-07", null, Data(3, Float(1, 3))); // 2 is late
        _clock += 1500;
        Send("NDATA", "FL-07", null, Data(2, Float(1, 2))); // filled in time
        _decoder.Sparkplug.CheckReorderTimeouts(_clock + 5000);
        Assert.Empty(_decoder.Sparkplug.RebirthRequests);

        Send("NDATA", "FL-07", null, Data(5, Float(1, 5))); // 4 never comes
        _decoder.Sparkplug.CheckReorderTimeouts(_clock + 1999);
        Assert.Empty(_decoder.Sparkplug.RebirthRequests);
        _decoder.Sparkplug.CheckReorderTimeouts(_clock + 2000);
        Assert.Single(_decoder.Sparkplug.RebirthRequests);
        Assert.Equal(1, _decoder.Sparkplug.Counters.RebirthsRequested(RebirthCause.SeqGap));
    }

    [Fact]
    public void The_seq_wraps_after_255()
    {
        BirthForklift();
        for (ulong seq = 1; seq <= 600; seq++) Send("NDATA", "FL-07", null, Data(seq & 0xFF, Float(1, 1)));
        _decoder.Sparkplug.CheckReorderTimeouts(_clock + 10_000);
        Assert.Empty(_decoder.Sparkplug.RebirthRequests);
        Assert.Equal(0, _decoder.Sparkplug.Counters.SeqOutOfOrder);
    }

    [Fact]
    public void An_ndeath_with_a_stale_bdseq_is_ignored_and_a_matching_one_writes_offline_at_receive_time()
    {
        BirthForklift(bdSeq: 7);
        var stale = new Payload { Metrics = { new Metric { Name = "bdSeq", Datatype = 8, LongValue = 6 } } };
        Assert.Equal(("", ""), (Send("NDEATH", "FL-07", null, stale).Lines, Send("NDEATH", "FL-07", null, stale).Findings));
        Assert.Equal(2, _decoder.Sparkplug.Counters.StaleDeaths);

        _clock += 10;
        var death = new Payload { Metrics = { new Metric { Name = "bdSeq", Datatype = 8, LongValue = 7 } } };
        Assert.Equal($"status,kind=h2forklift,site={Site},vehicle_id=FL-07 online=false {_clock}\n", Send("NDEATH", "FL-07", null, death).Lines);
        Assert.Equal("sparkplug_no_birth -1 ;", Send("NDATA", "FL-07", null, Data(1, Float(1, 1))).Findings);
    }

    [Fact]
    public void A_depot_node_births_its_forklifts_as_devices_and_its_death_takes_them_offline()
    {
        // The depot gateway is not a vehicle: its NBIRTH has no kind and nothing of its own to write.
        var depot = Send("NBIRTH", "DEPOT-1", null, Birth(3, null));
        Assert.Equal(("", ""), (depot.Lines, depot.Findings));
        var birth = Birth(0, "h2forklift", Named("load_kg", 10, 10));
        birth.Seq = 1;
        birth.Metrics.RemoveAt(0);
        Assert.Equal($"status,kind=h2forklift,site={Site},vehicle_id=FL-21 online=true {Now - 500}\n", Send("DBIRTH", "DEPOT-1", "FL-21", birth).Lines);
        birth.Seq = 2;
        Send("DBIRTH", "DEPOT-1", "FL-22", birth);

        Assert.Equal($"telemetry,kind=h2forklift,site={Site},vehicle_id=FL-21 load_kg=120 {Now - 100}\n",
            Send("DDATA", "DEPOT-1", "FL-21", Data(3, new Metric { Alias = 10, DoubleValue = 120 })).Lines);
        Assert.Equal($"status,kind=h2forklift,site={Site},vehicle_id=FL-22 online=false {_clock}\n",
            Send("DDEATH", "DEPOT-1", "FL-22", new Payload { Seq = 4 }).Lines);
        Assert.Equal("sparkplug_no_birth -1 ;", Send("DDATA", "DEPOT-1", "FL-22", Data(5, new Metric { Alias = 10, DoubleValue = 1 })).Findings);

        var death = Send("NDEATH", "DEPOT-1", null, new Payload { Metrics = { new Metric { Name = "bdSeq", Datatype = 8, LongValue = 3 } } });
        Assert.Equal($"status,kind=h2forklift,site={Site},vehicle_id=FL-21 online=false {_clock}\n", death.Lines);
    }

    [Fact]
    public void A_birth_without_a_catalogue_kind_is_refused_and_so_is_its_data()
    {
        Send("NBIRTH", "DEPOT-1", null, Birth(3, null));
        var birth = Birth(0, "tractor", Named("load_kg", 10, 10));
        birth.Seq = 1;
        Assert.Equal("missing_required -1 ;", Send("DBIRTH", "DEPOT-1", "FL-21", birth).Findings);
        Assert.Equal("missing_required -1 ;", Send("DDATA", "DEPOT-1", "FL-21", Data(2, new Metric { Alias = 10, DoubleValue = 1 })).Findings);
        // A node that declares metrics of its own but no kind is a vehicle without one.
        Assert.Equal("missing_required -1 ;", Send("NBIRTH", "FL-30", null, Birth(1, null, Named("speed_kmh", 9, 1))).Findings);
    }

    [Fact]
    public void Alias_tables_beyond_the_limit_are_refused()
    {
        for (int i = 0; i < 6; i++) Assert.Equal(1, Send("NBIRTH", $"FL-{i}", null, Birth(1, "h2forklift")).Outcome.Points);
        Assert.Equal("sparkplug_alias_tables_full -1 ;", Send("NBIRTH", "FL-6", null, Birth(1, "h2forklift")).Findings);
        Assert.Equal(6, _decoder.Sparkplug.Counters.AliasTables);
    }

    [Fact]
    public void A_payload_that_is_not_protobuf_is_bad_payload_with_the_rule_it_broke()
    {
        using var output = new LineBuffer(256);
        var sink = new RecordingSink { Log = new StringBuilder() };
        var outcome = _decoder.Decode("spBv1.0/bkk/NDATA/FL-1", [0x12, 0x05, 0x08], false, Now, output, ref sink);
        Assert.Equal(RejectReason.BadPayload, outcome.MessageRejection);
        Assert.Equal("bad_payload -1 length_past_end;", sink.Log.ToString());
    }

    [Theory]
    [InlineData("spBv1.0/Bad_Site/NDATA/FL-1")]
    [InlineData("spBv1.0/bkk/NDATA/FL-1/extra")]
    [InlineData("spBv1.0/bkk/DDATA/FL-1")]
    [InlineData("spBv1.0/bkk/NOPE/FL-1")]
    [InlineData("spBv1.0/bkk/NDATA/FL 1")]
    public void Topics_outside_the_namespace_rules_are_bad_topic(string topic)
    {
        using var output = new LineBuffer(256);
        var sink = new RecordingSink { Log = new StringBuilder() };
        Assert.Equal(RejectReason.BadTopic, _decoder.Decode(topic, [], false, Now, output, ref sink).MessageRejection);
    }

    [Fact]
    public void Commands_and_host_states_are_not_vehicle_data()
    {
        foreach (var topic in new[] { "spBv1.0/bkk/NCMD/FL-1", "spBv1.0/bkk/DCMD/FL-1/D-1", "spBv1.0/STATE/other-host" })
        {
            using var output = new LineBuffer(256);
            var sink = new RecordingSink { Log = new StringBuilder() };
            var outcome = _decoder.Decode(topic, HostMessages.Rebirth(Now), false, Now, output, ref sink);
            Assert.Equal((0, null, ""), (outcome.Points, outcome.MessageRejection, sink.Log.ToString()));
        }
    }

    [Fact]
    public void The_rebirth_command_reads_back_with_google_protobuf()
    {
        var command = Payload.Parser.ParseFrom(HostMessages.Rebirth(Now));
        Assert.Equal((ulong)Now, command.Timestamp);
        var metric = Assert.Single(command.Metrics);
        Assert.Equal(("Node Control/Rebirth", 11u, true), (metric.Name, metric.Datatype, metric.BooleanValue));
        Assert.Equal("{\"online\":true,\"timestamp\":5}", Encoding.UTF8.GetString(HostMessages.State(true, 5)));
    }

    private struct CountingSink : IDecodeSink
    {
        public int Points, Rejections;
        public void OnPoint(int objectIndex, long seq, long timestampMs) => Points++;
        public void OnRejected(RejectReason reason, int objectIndex, ReadOnlySpan<byte> key) => Rejections++;
    }

    [Fact]
    public void Data_by_alias_allocates_nothing()
    {
        BirthForklift();
        var messages = Enumerable.Range(0, 256).Select(seq => Data((ulong)seq,
            Float(1, 12.5f + seq % 200), Float(2, 1.25f), new Metric { Alias = 3, DoubleValue = 850.5 }, new Metric { Alias = 4, StringValue = "run" },
            new Metric { Alias = 5, IntValue = (uint)seq }, new Metric { Alias = 6, BooleanValue = true }).ToByteArray()).ToArray();
        using var output = new LineBuffer(1 << 20);
        var sink = new CountingSink();
        int sent = 0;
        void Run(int count)
        {
            for (int i = 0; i < count; i++)
            {
                _decoder.Decode("spBv1.0/laem-chabang/NDATA/FL-07", messages[++sent & 0xFF], false, Now, output, ref sink); // seq 1, 2 … 255, 0, 1 …
                if (output.Length > 512 * 1024) output.Clear();
            }
        }
        Run(20_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(5000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, sink.Rejections);
        Assert.Equal(25_000, sink.Points);
        Assert.Equal(0, _decoder.Sparkplug.Counters.SeqOutOfOrder);
    }
}
