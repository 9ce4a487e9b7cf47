using System.Buffers.Binary;
using System.Numerics;

namespace Telemetry.Pipeline.Spool;

/// <summary>
/// One spooled batch on disk: a 16-byte header (magic "SPL1", body length, point count,
/// CRC-32C of length, count and body) followed by the body (line protocol).
/// </summary>
internal static class SpoolRecordFormat
{
    public const int HeaderBytes = 16;
    public const uint Magic = 0x314C5053; // "SPL1" little-endian
    public const int MaxBodyBytes = 512 << 20;

    public static void WriteHeader(Span<byte> header, ReadOnlySpan<byte> body, int points)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], body.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], points);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Checksum(body.Length, points, body));
    }

    /// <summary>Reads a header; false when it is not one (wrong magic or impossible length).</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out int bodyLength, out int points, out uint checksum)
    {
        bodyLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        points = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        checksum = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(header) == Magic && bodyLength is >= 0 and <= MaxBodyBytes && points >= 0;
    }

    public static uint Checksum(int bodyLength, int points, ReadOnlySpan<byte> body)
    {
        uint crc = BitOperations.Crc32C(0xFFFFFFFFu, ((ulong)(uint)bodyLength << 32) | (uint)points);
        while (body.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(body));
            body = body[8..];
        }
        foreach (byte b in body) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
