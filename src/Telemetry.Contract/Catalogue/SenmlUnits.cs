using System.Text;

namespace Telemetry.Contract.Catalogue;

/// <summary>
/// The catalogue's units by their SenML names (RFC 8428 section 12.1, RFC 8798), as wire contract section 6
/// lists them: a SenML record whose <c>u</c> is not one of these for its signal is refused.
/// </summary>
internal static class SenmlUnits
{
    private static readonly Dictionary<string, string[]> Names = new(StringComparer.Ordinal)
    {
        ["km/h"] = ["km/h"],
        ["deg"] = ["deg"],
        ["m"] = ["m"],
        ["km"] = ["km"],
        ["m/s2"] = ["m/s2"],
        ["%"] = ["%", "%EL"],
        ["V"] = ["V"],
        ["A"] = ["A"],
        ["degC"] = ["Cel"],
        ["rpm"] = ["1/min"],
        ["kW"] = ["kW"],
        ["kg"] = ["kg"],
        ["MPa"] = ["MPa"],
        ["g/s"] = ["g/s"],
        ["h"] = ["h"],
    };

    /// <summary>A unit the table does not know (or none) has no SenML name: any <c>u</c> sent for it is refused.</summary>
    public static byte[][] NamesOf(string? catalogueUnit) =>
        catalogueUnit is not null && Names.TryGetValue(catalogueUnit, out var names) ? names.Select(Encoding.UTF8.GetBytes).ToArray() : [];
}
