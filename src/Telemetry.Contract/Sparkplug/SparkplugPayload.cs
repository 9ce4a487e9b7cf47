namespace Telemetry.Contract.Sparkplug;

/// <summary>
/// A Sparkplug B payload read straight from its bytes. <see cref="TryRead"/> checks the whole payload
/// once (every nested message, within the limits); the metrics are then enumerated from the same bytes
/// without any object per metric. Nothing is allocated.
/// </summary>
internal readonly ref struct SparkplugPayload
{
    private const uint Varint = (uint)WireType.Varint;
    private const uint Length = (uint)WireType.LengthDelimited;
    private const uint LastSchemaField = 5;

    private readonly ReadOnlySpan<byte> _bytes;
    private readonly SparkplugLimits _limits;

    private SparkplugPayload(ReadOnlySpan<byte> bytes, SparkplugLimits limits, ulong timestamp, bool hasTimestamp, ulong seq, bool hasSeq,
        int metricCount)
    {
        _bytes = bytes;
        _limits = limits;
        Timestamp = timestamp;
        HasTimestamp = hasTimestamp;
        Seq = seq;
        HasSeq = hasSeq;
        MetricCount = metricCount;
    }

    /// <summary>The payload's timestamp, epoch milliseconds.</summary>
    public ulong Timestamp { get; }
    public bool HasTimestamp { get; }
    public ulong Seq { get; }
    public bool HasSeq { get; }
    public int MetricCount { get; }

    public MetricEnumerator Metrics => new(_bytes, _limits);

    /// <summary>The metric at a place <see cref="MetricEnumerator"/> reported.</summary>
    public SparkplugMetric MetricAt(int offset, int length)
    {
        SparkplugMetric.Read(_bytes.Slice(offset, length), 1, _limits, checkNested: false, out var metric);
        return metric;
    }

    /// <summary>Checks <paramref name="bytes"/> against the schema and the limits; on <see cref="PayloadError.None"/> the payload can be read.</summary>
    public static PayloadError TryRead(ReadOnlySpan<byte> bytes, SparkplugLimits limits, out SparkplugPayload payload)
    {
        payload = default;
        ulong timestamp = 0, seq = 0;
        bool hasTimestamp = false, hasSeq = false;
        int metrics = 0;
        var reader = new ProtoReader(bytes);
        while (!reader.AtEnd)
        {
            var error = reader.ReadTag(out uint field, out var wireType);
            if (error != PayloadError.None) return error;
            switch (field << 3 | (uint)wireType)
            {
                case 1 << 3 | Varint:
                    error = reader.ReadVarint(out timestamp);
                    hasTimestamp = true;
                    break;
                case 2 << 3 | Length:
                    if (++metrics > limits.MaxMetrics) return PayloadError.TooManyMetrics;
                    error = reader.ReadLengthDelimited(out var metric);
                    if (error == PayloadError.None) error = SparkplugMetric.Read(metric, 1, limits, checkNested: true, out _);
                    break;
                case 3 << 3 | Varint:
                    error = reader.ReadVarint(out seq);
                    hasSeq = true;
                    break;
                case 4 << 3 | Length:
                    error = reader.ReadString(out _); // uuid
                    break;
                case 5 << 3 | Length:
                    error = reader.ReadLengthDelimited(out _); // body
                    break;
                default:
                    error = field <= LastSchemaField ? PayloadError.WrongWireType : reader.ReadValue(wireType, out _, out _);
                    break;
            }
            if (error != PayloadError.None) return error;
        }
        payload = new SparkplugPayload(bytes, limits, timestamp, hasTimestamp, seq, hasSeq, metrics);
        return PayloadError.None;
    }

    /// <summary>The payload's metrics in the order sent; only valid on a payload that <see cref="TryRead"/> accepted.</summary>
    public ref struct MetricEnumerator
    {
        private ProtoReader _reader;
        private readonly SparkplugLimits _limits;
        private SparkplugMetric _current;

        internal MetricEnumerator(ReadOnlySpan<byte> bytes, SparkplugLimits limits)
        {
            _reader = new ProtoReader(bytes);
            _limits = limits;
            _current = default;
        }

        public readonly SparkplugMetric Current => _current;
        /// <summary>Where <see cref="Current"/>'s bytes are in the payload, to read it again with <see cref="MetricAt"/>.</summary>
        public int CurrentOffset { get; private set; }
        public int CurrentLength { get; private set; }

        public readonly MetricEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!_reader.AtEnd)
            {
                _reader.ReadTag(out uint field, out var wireType);
                _reader.ReadValue(wireType, out _, out var bytes);
                if (field == 2 && wireType == WireType.LengthDelimited)
                {
                    CurrentOffset = _reader.Position - bytes.Length;
                    CurrentLength = bytes.Length;
                    SparkplugMetric.Read(bytes, 1, _limits, checkNested: false, out _current);
                    return true;
                }
            }
            return false;
        }
    }
}
