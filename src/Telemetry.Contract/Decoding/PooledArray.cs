using System.Buffers;

namespace Telemetry.Contract.Decoding;

/// <summary>
/// A reader's scratch array, rented from <see cref="ArrayPool{T}.Shared"/>. It grows as a message needs (the
/// smaller array goes back to the pool), and after a message that used under a quarter of an array grown past its
/// usual length, <see cref="Release"/> gives that array back: one unusually large payload does not keep its memory
/// for the life of the decoder. In steady state nothing is allocated, the pool hands the same arrays back.
/// </summary>
internal sealed class PooledArray<T> where T : struct
{
    private readonly int _usualLength;

    public PooledArray(int usualLength)
    {
        _usualLength = usualLength;
        Items = ArrayPool<T>.Shared.Rent(usualLength);
    }

    /// <summary>The array now; a call to <see cref="Grow"/> or <see cref="Release"/> may replace it.</summary>
    public T[] Items { get; private set; }

    /// <summary>Room for at least <paramref name="required"/> items, the first <paramref name="keep"/> kept.</summary>
    public T[] Grow(int required, int keep)
    {
        if (required <= Items.Length) return Items;
        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(required, Items.Length * 2));
        Items.AsSpan(0, keep).CopyTo(bigger);
        ArrayPool<T>.Shared.Return(Items);
        return Items = bigger;
    }

    /// <summary>After a message that used <paramref name="used"/> items: an array it left mostly empty goes back if it was grown.</summary>
    public void Release(int used)
    {
        if (Items.Length <= _usualLength || used >= Items.Length / 4) return;
        ArrayPool<T>.Shared.Return(Items);
        Items = ArrayPool<T>.Shared.Rent(_usualLength);
    }
}
