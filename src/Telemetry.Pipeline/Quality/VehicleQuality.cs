namespace Telemetry.Pipeline.Quality;

/// <summary>One vehicle's counts since its last <c>gateway_quality</c> point, and its <c>seq</c> history.</summary>
internal sealed class VehicleQuality(string site, string kind, string vehicleId, KindQuality kindTotals)
{
    public string Site { get; } = site;
    public string Kind { get; } = kind;
    public string VehicleId { get; } = vehicleId;
    internal KindQuality KindTotals { get; } = kindTotals;
    internal QualityCounts Unreported;
    internal readonly SeqWindow Seq = new();
    internal long LastActiveInterval;
}

/// <summary>Running totals of one vehicle kind since start-up, for the metrics (bounded labels: kinds, not vehicles).</summary>
public sealed class KindQuality(string kind)
{
    public string Kind { get; } = kind;
    internal QualityCounts Total;
}
