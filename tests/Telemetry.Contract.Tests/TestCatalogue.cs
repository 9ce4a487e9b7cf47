using Telemetry.Contract.Catalogue;

namespace Telemetry.Contract.Tests;

/// <summary>The shipped config/signals.json, loaded once.</summary>
internal static class TestCatalogue
{
    public static readonly SignalCatalogue Shipped = SignalCatalogue.Load(Path.Combine(AppContext.BaseDirectory, "signals.json"));

    /// <summary>2026-11-25T08:00:00Z (15:00 in Thailand): the contract examples' day; tests decode "now" = this.</summary>
    public const long Now = 1795593600000;
}
