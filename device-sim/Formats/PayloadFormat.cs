namespace DeviceSim.Formats;

/// <summary>How vehicles put their telemetry on the wire (<c>--format</c>).</summary>
public enum PayloadFormat { Json, Sparkplug, Senml, SenmlCbor }

public static class PayloadFormats
{
    public static readonly IReadOnlyList<PayloadFormat> All = [PayloadFormat.Json, PayloadFormat.Sparkplug, PayloadFormat.Senml, PayloadFormat.SenmlCbor];

    public static string Name(this PayloadFormat format) => format switch
    {
        PayloadFormat.Json => "json",
        PayloadFormat.Sparkplug => "sparkplug",
        PayloadFormat.Senml => "senml",
        _ => "senml-cbor",
    };

    public static PayloadFormat? Parse(string name) => All.Where(f => f.Name() == name).Cast<PayloadFormat?>().FirstOrDefault();
}
