namespace Telemetry.Pipeline.Quality;

/// <summary>Section <c>Quality</c>: per-vehicle data-quality accounting written to InfluxDB as <c>gateway_quality</c>.</summary>
public sealed class QualityOptions
{
    public const string Section = "Quality";
    public const string Measurement = "gateway_quality";

    public bool Enabled { get; set; } = true;
    /// <summary>How often each active vehicle's counts since its last point are written (and once more at shutdown).</summary>
    public int IntervalSeconds { get; set; } = 60;
    /// <summary>Vehicles tracked at once; samples of further vehicles are counted only in the metrics.</summary>
    public int MaxVehicles { get; set; } = 100_000;
    /// <summary>A vehicle silent for this long is forgotten (its seq history too) once its counts are written.</summary>
    public TimeSpan ForgetIdleAfter { get; set; } = TimeSpan.FromDays(1);
    /// <summary>Value of the <c>gateway</c> tag, so that instances sharing a stream write distinct series; empty: Mqtt:ClientId.</summary>
    public string GatewayTag { get; set; } = "";
}
