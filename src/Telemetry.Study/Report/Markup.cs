using System.Globalization;
using System.Text;

namespace Telemetry.Study.Report;

/// <summary>Escaping and number formatting for the report's HTML and inline SVG (always invariant culture).</summary>
internal static class Markup
{
    /// <summary>
    /// Text safe inside an HTML or SVG element or a quoted attribute. Vehicle and station ids come from
    /// devices, so every string from the data goes through here; control characters become U+FFFD.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var builder = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&#39;"); break;
                default:
                    builder.Append(char.IsControl(c) ? '\uFFFD' : c);
                    break;
            }
        }
        return builder.ToString();
    }

    /// <summary>A coordinate or length for an SVG attribute.</summary>
    public static string Px(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A value for a reader: thousands separated, a fixed number of decimals; "—" when it is not a number.</summary>
    public static string Number(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "—";

    public static string Number(double? value, int decimals) => value is { } v ? Number(v, decimals) : "—";
}
