using System.Diagnostics.Metrics;
using Telemetry.Contract.Sparkplug;

namespace Telemetry.Gateway.Sparkplug;

/// <summary>The Sparkplug host's instruments on the gateway's meter (<c>telemetry_gateway_sparkplug_*</c>, docs/operations.md).</summary>
internal static class SparkplugInstruments
{
    public static void Add(Meter meter, string prefix, SparkplugCounters counters, SparkplugHost host, SparkplugHostService service)
    {
        string p = prefix + "sparkplug.";
        meter.CreateObservableCounter(p + "messages", () => Enum.GetValues<SparkplugMessageType>()
            .Select(type => new Measurement<long>(counters.Messages(type), new KeyValuePair<string, object?>("type", Name(type)))), "{message}",
            "Sparkplug B messages received, by message type");
        meter.CreateObservableCounter(p + "rebirths.requested", () => Enum.GetValues<RebirthCause>()
            .Select(cause => new Measurement<long>(counters.RebirthsRequested(cause), new KeyValuePair<string, object?>("cause", Name(cause)))), "{request}",
            "Rebirth requests queued, by cause: seq_gap, unknown_alias, no_birth");
        meter.CreateObservableCounter(p + "rebirths.sent", () => service.RebirthsSent, "{command}", "NCMD Node Control/Rebirth commands the broker acknowledged");
        meter.CreateObservableCounter(p + "rebirths.failed", () => service.RebirthsFailed, "{command}", "Rebirth commands not sent (no connection, or no acknowledgement)");
        meter.CreateObservableCounter(p + "stale_deaths", () => counters.StaleDeaths, "{message}", "NDEATHs whose bdSeq was not the current NBIRTH's, ignored");
        meter.CreateObservableCounter(p + "seq.out_of_order", () => counters.SeqOutOfOrder, "{message}", "Messages whose seq came ahead of the expected one (a gap, filled later or not)");
        meter.CreateObservableCounter(p + "seq.duplicates", () => counters.SeqDuplicates, "{message}", "Messages whose seq was behind the expected one (late duplicates)");
        meter.CreateObservableUpDownCounter(p + "alias_tables", () => counters.AliasTables, "{table}", "Alias tables held now (edge nodes and devices); at Sparkplug:MaxAliasTables a BIRTH is refused");
        meter.CreateObservableCounter(p + "state.births", () => host.BirthsPublished, "{message}", "STATE online messages the host published (after each connection, and after a stray offline)");
    }

    private static string Name(SparkplugMessageType type) => type.ToString().ToUpperInvariant();

    private static string Name(RebirthCause cause) => cause switch
    {
        RebirthCause.SeqGap => "seq_gap",
        RebirthCause.UnknownAlias => "unknown_alias",
        _ => "no_birth",
    };
}
