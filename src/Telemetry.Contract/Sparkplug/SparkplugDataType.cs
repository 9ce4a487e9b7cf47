namespace Telemetry.Contract.Sparkplug;

/// <summary>Sparkplug B's metric datatypes (the <c>datatype</c> field of a metric), as numbered by the specification.</summary>
internal enum SparkplugDataType : uint
{
    Unknown = 0,
    Int8 = 1, Int16 = 2, Int32 = 3, Int64 = 4,
    UInt8 = 5, UInt16 = 6, UInt32 = 7, UInt64 = 8,
    Float = 9, Double = 10, Boolean = 11, String = 12, DateTime = 13, Text = 14,
    Uuid = 15, DataSet = 16, Bytes = 17, File = 18, Template = 19, PropertySet = 20, PropertySetList = 21,
    Int8Array = 22, Int16Array = 23, Int32Array = 24, Int64Array = 25,
    UInt8Array = 26, UInt16Array = 27, UInt32Array = 28, UInt64Array = 29,
    FloatArray = 30, DoubleArray = 31, BooleanArray = 32, StringArray = 33, DateTimeArray = 34,
}

/// <summary>Which member of a metric's <c>value</c> oneof was sent (the field number in the schema).</summary>
internal enum MetricValueKind : byte
{
    None = 0,
    Int = 10, Long = 11, Float = 12, Double = 13, Boolean = 14, String = 15, Bytes = 16,
    DataSet = 17, Template = 18, Extension = 19,
}
