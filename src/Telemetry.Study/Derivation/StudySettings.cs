namespace Telemetry.Study.Derivation;

/// <summary>
/// Every rule of wire contract section 8 as a setting (section <c>Study</c> of appsettings.json, or
/// environment <c>Study__Key</c>), each with the contract's default.
/// </summary>
public sealed class StudySettings
{
    public const string Section = "Study";

    /// <summary>IANA time zone of the local days (vehicle-days, --from/--to).</summary>
    public string TimeZone { get; set; } = "Asia/Bangkok";

    /// <summary>A sample is moving when <c>speed_kmh</c> ≥ this.</summary>
    public double MovingSpeedKmh { get; set; } = 3;
    /// <summary>A trip ends before a stop (no moving sample) that lasts at least this long.</summary>
    public double StopSeconds { get; set; } = 300;
    /// <summary>Consecutive samples further apart than this are a gap: it ends trips, charge sessions and refuels.</summary>
    public double GapSeconds { get; set; } = 3600;
    /// <summary>A trip is kept if it lasts at least this long ...</summary>
    public double MinTripSeconds { get; set; } = 130;
    /// <summary>... or covers at least this distance.</summary>
    public double MinTripMeters { get; set; } = 215;
    /// <summary>Energy and hydrogen flow are integrated (trapezoid) over samples at most this far apart.</summary>
    public double IntegrationMaxStepSeconds { get; set; } = 60;
    /// <summary>A standing sample with <c>batt_a</c> above this (A, positive = charging) is charging, from a vehicle that does not report <c>charging</c> (one that reports it false is not charging).</summary>
    public double ChargeCurrentA { get; set; } = 0.5;
    /// <summary>A charge session is kept if it lasts at least this long.</summary>
    public double MinChargeSeconds { get; set; } = 120;
    /// <summary>A rise of <c>h2_mass_kg</c> of at least this while standing is a refuel.</summary>
    public double RefuelMinKg { get; set; } = 0.2;
    /// <summary>A refuel is over once the mass has not risen for this long (or the vehicle moves).</summary>
    public double RefuelSettleSeconds { get; set; } = 120;
    /// <summary>An event confirms a swap, refuel or charge session derived from telemetry within this distance in time.</summary>
    public double EventMatchSeconds { get; set; } = 600;

    /// <summary>
    /// Telemetry is read this far before --from and after --to, so that a row near a boundary (a trip that
    /// began before midnight, a charge running past the end) comes out the same whatever range is asked.
    /// </summary>
    public double MarginHours { get; set; } = 12;
    /// <summary>Each InfluxQL query covers at most this much time (all vehicles of the filter).</summary>
    public double QueryWindowHours { get; set; } = 6;
    /// <summary>Rows per chunk of InfluxDB's chunked answer (memory per chunk).</summary>
    public int QueryChunkSize { get; set; } = 10_000;
    /// <summary>Lines per write-back request.</summary>
    public int WriteBatchLines { get; set; } = 5_000;

    /// <summary>Problems with the values, each naming its key; empty when valid.</summary>
    public List<string> Validate()
    {
        var problems = new List<string>();
        void Positive(string key, double value)
        {
            if (!(value > 0) || !double.IsFinite(value)) problems.Add($"{Section}:{key} must be a positive number (is {value})");
        }
        void NotNegative(string key, double value)
        {
            if (!(value >= 0) || !double.IsFinite(value)) problems.Add($"{Section}:{key} must be zero or more (is {value})");
        }
        Positive(nameof(MovingSpeedKmh), MovingSpeedKmh);
        Positive(nameof(StopSeconds), StopSeconds);
        Positive(nameof(GapSeconds), GapSeconds);
        NotNegative(nameof(MinTripSeconds), MinTripSeconds);
        NotNegative(nameof(MinTripMeters), MinTripMeters);
        Positive(nameof(IntegrationMaxStepSeconds), IntegrationMaxStepSeconds);
        NotNegative(nameof(ChargeCurrentA), ChargeCurrentA);
        NotNegative(nameof(MinChargeSeconds), MinChargeSeconds);
        Positive(nameof(RefuelMinKg), RefuelMinKg);
        Positive(nameof(RefuelSettleSeconds), RefuelSettleSeconds);
        NotNegative(nameof(EventMatchSeconds), EventMatchSeconds);
        NotNegative(nameof(MarginHours), MarginHours);
        Positive(nameof(QueryWindowHours), QueryWindowHours);
        if (QueryChunkSize < 1) problems.Add($"{Section}:{nameof(QueryChunkSize)} must be at least 1 (is {QueryChunkSize})");
        if (WriteBatchLines < 1) problems.Add($"{Section}:{nameof(WriteBatchLines)} must be at least 1 (is {WriteBatchLines})");
        if (LocalDays.TryFindZone(TimeZone) is null) problems.Add($"{Section}:{nameof(TimeZone)} '{TimeZone}' is not a known time zone (an IANA name such as Asia/Bangkok)");
        return problems;
    }
}
