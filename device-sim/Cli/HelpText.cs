namespace DeviceSim.Cli;

public static class HelpText
{
    public const string Usage = """
device-sim: simulates vehicle fleets (e-motorcycles, hydrogen buses, trucks and forklifts in Thailand)
and publishes their telemetry, events and status over MQTT exactly as the vehicles would
(topics fleet/{site}/{kind}/{vehicle_id}/{telemetry|event|status}, wire contract v2), or as Sparkplug B
edge nodes or SenML packs (--format).

Usage: device-sim [options]

Fleet
  --emoto N --h2bus N --h2truck N --h2forklift N
                          vehicles per kind (default without any: 10 emoto, 2 h2bus, 2 h2truck, 4 h2forklift)
  --sites a,b,...         spread every kind over these sites (default: per kind, among
                          bkk, pathum-thani, amata-chonburi, laem-chabang, map-ta-phut)
  --seed N                seed of every random choice (default 1): same seed and flags, same messages
  --config FILE           JSON object of flag names to values, e.g. {"emoto": 20, "sim-day": true};
                          flags on the command line override it

Time
  (default)               real time: ts = wall clock, for --duration (default 1m)
  --sim-day               accelerated: simulate --sim-span (default 24h) in --duration (default 3m);
                          the simulated span ends at --sim-end (default: the real start time)
  --sim-span D            simulated span (implies --sim-day), under 6.5 days
  --sim-end T             end of the simulated span: RFC 3339, epoch ms or 'now'
  --duration D            wall-clock length of the run (durations: 500ms, 90s, 3m, 24h, 1h30m)
  --no-pacing             publish as fast as possible (ts stay simulated); file output of a
                          --sim-day run is never paced

Sampling
  --sample-period D       telemetry period while moving or working (default 5s)
  --idle-period D         telemetry period while parked or off (default 60s)
  --batch K               K samples per telemetry message: a JSON array, one SenML pack, one Sparkplug
                          DATA with a timestamp per metric (default 1)

Output
  --format F              json (default: wire contract section 2), sparkplug (Sparkplug B edge nodes: a
                          depot node per site with its forklifts as devices, every other vehicle its own
                          node; events stay JSON), senml or senml-cbor (telemetry as SenML packs on the
                          senml / senml-cbor stream; events and status stay JSON)
  --broker HOST:PORT      MQTT broker (default 127.0.0.1:1883)
  --out FILE              write JSON lines {"topic":..,"payload":..,"retain":..} instead ('-' = stdout);
                          a binary payload (protobuf, CBOR) as "payload_base64"
  --qos 0|1|2             QoS of every publish (default 1)
  --connections per-vehicle|N
                          one MQTT connection per vehicle, each with its retained {"online":false}
                          last will (default), or a pool of N shared connections (not with sparkplug:
                          one connection per edge node, its NDEATH as the will)
  --inflight N            unacknowledged publishes per connection (default 20; 100 in --load)
  --reconnect-timeout D   a lost connection is reconnected and every publish not acknowledged is sent
                          again; after D without a connection those publishes count as failed (default 60s)
  --client-prefix S       MQTT client id prefix (default device-sim)
  --username U --password P
  --credentials FILE      JSON {"vehicle id": "password"}: each vehicle logs in as itself (client id and
                          user name = its id), as the gateway's embedded broker requires

Faults (fractions of telemetry messages; clock_skew: of vehicles)
  --faults SPEC           '0.01' for every kind, or a list: truncated=0.01,wrong_type=0.02,...
                          payload (one per message at most): truncated (bad_json), wrong_type and
                          out_of_range (field_invalid), unknown_key, no_fields, duplicate_field,
                          stale_ts (ts_out_of_range), bad_topic
                          delivery (one per message at most): duplicate (sent twice), out_of_order,
                          late (5-30 simulated minutes), seq_gap (dropped: seq never arrives)
                          clock_skew: vehicle clocks off by -2 min .. +1 min
                          sparkplug only (payload slot): unknown_alias (sparkplug_unknown_alias),
                          data_before_birth (DEATH, DATA, BIRTH: sparkplug_no_birth), wrong_bdseq
                          (an NDEATH with another bdSeq: ignored); truncated there is bad_payload

Load (benchmarks)
  --load                  publish telemetry as fast as possible, ts stamped at publish time
  --messages N            messages to publish (default 200000); with --connections (default 8)
                          and --inflight (default 100); reports the publish rate

Reporting
  --manifest FILE         write exact counts of what was sent and what the gateway must write/reject
  --quiet, -q             no progress lines (the summary is still printed)
  --progress-interval D   progress line period on stderr (default 2s)
  --help, -h              this text

Examples
  device-sim --emoto 20 --h2bus 3 --h2truck 2 --h2forklift 5 --sim-day --duration 3m \
             --broker 127.0.0.1:1883 --manifest out.json
  device-sim --sim-day --out day.jsonl --faults 0.01 --batch 5 --manifest day.manifest.json
  device-sim --load --connections 8 --inflight 100 --messages 200000 --manifest load.json
""";
}
