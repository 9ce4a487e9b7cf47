using System.Buffers.Binary;
using System.Text;

namespace Telemetry.Contract.Catalogue;

/// <summary>
/// UTF-8 key bytes → signal index, without converting to UTF-16: an open-addressing table
/// built once at start-up, probed with a hash of the length and the first and last bytes.
/// </summary>
internal sealed class KeyTable
{
    private readonly Entry[] _slots;
    private readonly int _mask;

    private readonly record struct Entry(byte[]? Key, int SignalIndex, bool ViaPath);

    public KeyTable(IEnumerable<(string Key, int SignalIndex, bool ViaPath)> keys)
    {
        var list = keys.ToList();
        int size = 16;
        while (size < list.Count * 4) size <<= 1;
        _slots = new Entry[size];
        _mask = size - 1;
        foreach (var (key, index, viaPath) in list)
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            if (TryFind(bytes, out _, out _))
                throw new CatalogueException($"key '{key}' is defined twice");
            int slot = Hash(bytes) & _mask;
            while (_slots[slot].Key is not null) slot = (slot + 1) & _mask;
            _slots[slot] = new Entry(bytes, index, viaPath);
        }
    }

    public bool TryFind(ReadOnlySpan<byte> key, out int signalIndex, out bool viaPath)
    {
        int slot = Hash(key) & _mask;
        while (true)
        {
            ref readonly Entry entry = ref _slots[slot];
            if (entry.Key is null) break;
            if (key.SequenceEqual(entry.Key))
            {
                signalIndex = entry.SignalIndex;
                viaPath = entry.ViaPath;
                return true;
            }
            slot = (slot + 1) & _mask;
        }
        signalIndex = -1;
        viaPath = false;
        return false;
    }

    /// <summary>
    /// Two overlapping reads, first and last 8 (or 4) bytes, cover every byte of keys up to 16 (or 8) long
    /// without a loop; longer keys (VSS paths) differ in their ends anyway.
    /// </summary>
    private static int Hash(ReadOnlySpan<byte> key)
    {
        ulong head, tail;
        if (key.Length >= 8)
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(key);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(key[^8..]);
        }
        else if (key.Length >= 4)
        {
            head = BinaryPrimitives.ReadUInt32LittleEndian(key);
            tail = BinaryPrimitives.ReadUInt32LittleEndian(key[^4..]);
        }
        else
        {
            head = key.Length > 0 ? key[0] : 0u;
            tail = key.Length > 1 ? (uint)(key[^1] << 8 | key[1]) : 0u;
        }
        ulong h = (head * 0x9E3779B97F4A7C15UL) ^ (tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)key.Length;
        return (int)(h ^ (h >> 29) ^ (h >> 47)) & int.MaxValue;
    }
}
