namespace Telemetry.Study.Report.Svg;

/// <summary>A categorical axis: <see cref="Count"/> equal bands over a pixel range.</summary>
internal sealed class BandAxis(int count, double pixelFrom, double pixelTo)
{
    public int Count { get; } = count;
    public double PixelFrom { get; } = pixelFrom;
    public double PixelTo { get; } = pixelTo;

    public double Band => (PixelTo - PixelFrom) / Count;

    public double Start(int index) => PixelFrom + index * Band;

    public double Center(int index) => Start(index) + Band / 2;
}
