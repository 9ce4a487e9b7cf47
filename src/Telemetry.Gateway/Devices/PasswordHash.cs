using System.Security.Cryptography;
using System.Text;

namespace Telemetry.Gateway.Devices;

/// <summary>
/// Device passwords as <c>pbkdf2-sha256${iterations}${salt}${hash}</c> (base64): PBKDF2-HMAC-SHA256,
/// a random 16-byte salt per device, a 32-byte hash. The iteration count is stored, so it can be raised
/// for new passwords without invalidating old ones.
/// </summary>
public static class PasswordHash
{
    public const string Scheme = "pbkdf2-sha256";
    public const int DefaultIterations = 210_000;
    public const int MinIterations = 100_000;
    private const int SaltBytes = 16, HashBytes = 32;

    /// <summary>A hash of a password nobody has, so an unknown device costs as much time as a known one.</summary>
    internal static readonly string Decoy = Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    public static string Create(string password, int iterations = DefaultIterations)
    {
        if (iterations < MinIterations) throw new ArgumentOutOfRangeException(nameof(iterations), $"at least {MinIterations}");
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>A random password: 24 bytes (192 bits) as URL-safe base64, 32 characters.</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    public static bool IsWellFormed(string encoded) => TryParse(encoded, out _, out _, out _);

    /// <summary>Recomputes the hash and compares in constant time. A malformed <paramref name="encoded"/> never matches.</summary>
    public static bool Verify(ReadOnlySpan<byte> password, string encoded)
    {
        if (!TryParse(encoded, out int iterations, out var salt, out var expected))
        {
            TryParse(Decoy, out iterations, out salt, out expected);
            Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryParse(string encoded, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = encoded.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out iterations) || iterations < MinIterations) return false;
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
