namespace Telemetry.Contract.Sparkplug;

/// <summary>
/// Bounds on what one payload may hold, so that a hostile payload costs at most a linear pass over
/// its bytes and a bounded stack. Beyond any of them the payload is refused (<c>bad_payload</c>).
/// </summary>
public sealed class SparkplugLimits
{
    /// <summary>
    /// Message levels below the payload: a metric is level 1, its PropertySet 2, a PropertyValue in it 3,
    /// a Template's metric 3, and so on. Google.Protobuf stops at 100; real edge nodes use a handful.
    /// </summary>
    public int MaxDepth { get; init; } = 32;
    /// <summary>Metrics in one payload (a BIRTH declares every metric of a node or device).</summary>
    public int MaxMetrics { get; init; } = 10_000;
    /// <summary>Entries of the repeated fields of one nested message (properties, template members, dataset columns, rows, values).</summary>
    public int MaxElements { get; init; } = 10_000;
}
