using System.Security.Cryptography;
using System.Text;

namespace Telemetry.Gateway.Devices;

/// <summary>
/// Device passwords as <c>pbkdf2-sha256-v2${iterations}${salt}${hash}</c> (base64): PBKDF2-HMAC-SHA256 over
/// HMAC-SHA256(salt, password), a random 16-byte salt per device, a 32-byte hash. The iteration count is
/// stored, so it can be raised for new passwords without invalidating old ones.
/// </summary>
/// <remarks>
/// PBKDF2 uses the password as an HMAC key, and HMAC zero-pads a key shorter than its 64-byte block and
/// replaces a longer one by its SHA-256: fed the password directly, <c>pw</c> and <c>pw\0</c> derive the same
/// hash, and so do a long password and its digest. v2 first reduces the password to a 32-byte HMAC of it,
/// so every key has the same length and any byte difference gives another hash.
/// The first form, <c>pbkdf2-sha256$...</c> (<see cref="LegacyScheme"/>), is still verified so that stored
/// registries keep working, but a password containing a NUL byte never matches it (the padding made such a
/// password equal to a shorter one). <c>devices rehash</c> or <c>devices reset-password</c> moves a device to v2.
/// </remarks>
internal static class PasswordHash
{
    public const string Scheme = "pbkdf2-sha256-v2";
    public const string LegacyScheme = "pbkdf2-sha256";
    public const int DefaultIterations = 210_000;
    public const int MinIterations = 100_000;
    private const int SaltBytes = 16, HashBytes = 32;

    /// <summary>A hash of a password nobody has, so an unknown device costs as much time as a known one.</summary>
    internal static readonly string Decoy = Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    public static string Create(string password, int iterations = DefaultIterations) => Create(Encoding.UTF8.GetBytes(password), iterations);

    public static string Create(ReadOnlySpan<byte> password, int iterations = DefaultIterations)
    {
        if (iterations < MinIterations) throw new ArgumentOutOfRangeException(nameof(iterations), $"at least {MinIterations}");
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, iterations, HashBytes, legacy: false);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>A random password: 24 bytes (192 bits) as URL-safe base64, 32 characters.</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    public static bool IsWellFormed(string encoded) => TryParse(encoded, out _, out _, out _, out _);

    /// <summary>True for a hash in the first form, which should be moved to <see cref="Scheme"/>.</summary>
    public static bool IsLegacy(string encoded) => TryParse(encoded, out bool legacy, out _, out _, out _) && legacy;

    /// <summary>Recomputes the hash and compares in constant time. A malformed <paramref name="encoded"/> never matches.</summary>
    public static bool Verify(ReadOnlySpan<byte> password, string encoded)
    {
        if (!TryParse(encoded, out bool legacy, out int iterations, out var salt, out var expected))
        {
            TryParse(Decoy, out legacy, out iterations, out salt, out expected);
            Derive(password, salt, iterations, HashBytes, legacy);
            return false;
        }
        var actual = Derive(password, salt, iterations, expected.Length, legacy);
        // Checked after the derivation so that a refused NUL costs the same time as a wrong password.
        bool ambiguous = legacy && password.Contains((byte)0);
        return CryptographicOperations.FixedTimeEquals(actual, expected) && !ambiguous;
    }

    private static byte[] Derive(ReadOnlySpan<byte> password, byte[] salt, int iterations, int length, bool legacy)
    {
        if (legacy) return Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, length);
        Span<byte> key = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(salt, password, key);
        var hash = Rfc2898DeriveBytes.Pbkdf2(key, salt, iterations, HashAlgorithmName.SHA256, length);
        CryptographicOperations.ZeroMemory(key);
        return hash;
    }

    private static bool TryParse(string encoded, out bool legacy, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = encoded.Split('$');
        legacy = parts[0] == LegacyScheme;
        if (parts.Length != 4 || (parts[0] != Scheme && !legacy) || !int.TryParse(parts[1], out iterations) || iterations < MinIterations)
            return false;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= SaltBytes && hash.Length == HashBytes;
    }
}
