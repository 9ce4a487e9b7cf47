namespace DeviceSim.Formats.Sparkplug;

/// <summary>
/// Reads an NCMD payload just far enough to see whether it asks for a rebirth: a metric named
/// <c>Node Control/Rebirth</c> whose boolean value is true. Anything unreadable is not a rebirth request.
/// </summary>
public static class NodeCommand
{
    private static ReadOnlySpan<byte> RebirthName => "Node Control/Rebirth"u8;

    public static bool IsRebirth(ReadOnlySpan<byte> payload)
    {
        var reader = new Fields(payload);
        while (reader.Next(out int field, out int wireType, out ulong value, out var bytes))
            if (field == 2 && wireType == 2 && IsRebirthMetric(bytes)) return true;
        return false;
    }

    private static bool IsRebirthMetric(ReadOnlySpan<byte> metric)
    {
        bool named = false, set = false;
        var reader = new Fields(metric);
        while (reader.Next(out int field, out int wireType, out ulong value, out var bytes))
        {
            if (field == 1 && wireType == 2) named = bytes.SequenceEqual(RebirthName);
            else if (field == 14 && wireType == 0) set = value != 0;
        }
        return named && set;
    }

    /// <summary>Top-level fields of one protobuf message; stops (false) at the end or at anything malformed.</summary>
    private ref struct Fields(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public bool Next(out int field, out int wireType, out ulong value, out ReadOnlySpan<byte> bytes)
        {
            field = wireType = 0;
            value = 0;
            bytes = default;
            if (_rest.IsEmpty || !TryVarint(out ulong tag)) return false;
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0: return TryVarint(out value);
                case 1: return Skip(8);
                case 5: return Skip(4);
                case 2:
                    if (!TryVarint(out ulong length) || length > (ulong)_rest.Length) return false;
                    bytes = _rest[..(int)length];
                    _rest = _rest[(int)length..];
                    return true;
                default: return false;
            }
        }

        private bool Skip(int count)
        {
            if (_rest.Length < count) return false;
            _rest = _rest[count..];
            return true;
        }

        private bool TryVarint(out ulong value)
        {
            value = 0;
            for (int shift = 0, i = 0; i < 10 && i < _rest.Length; i++, shift += 7)
            {
                value |= (ulong)(_rest[i] & 0x7F) << shift;
                if (_rest[i] < 0x80)
                {
                    _rest = _rest[(i + 1)..];
                    return true;
                }
            }
            return false;
        }
    }
}
