using System.Security.Cryptography;
using System.Text;
using Telemetry.Gateway.Devices;

namespace Telemetry.Gateway.Tests.Devices;

/// <summary>
/// Any byte difference in a password must be refused. PBKDF2-HMAC-SHA256 fed the password directly (the first hash
/// form) zero-pads keys shorter than 64 bytes and hashes longer ones, so these lengths sit on both sides of the edge.
/// </summary>
public sealed class PasswordHashTests
{
    private const int Iterations = PasswordHash.MinIterations;

    public static TheoryData<int> Lengths => [2, 62, 63, 64];

    private static byte[] PasswordOf(int length) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("k7Q-", 16)))[..length];
    private static byte[] WithNuls(byte[] password, int nuls) => [.. password, .. new byte[nuls]];

    /// <summary>The first form, computed here independently of the gateway: PBKDF2 straight over the password bytes.</summary>
    private static string LegacyHash(byte[] password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    [Theory, MemberData(nameof(Lengths))]
    public void The_right_password_matches_and_the_same_with_one_or_two_nuls_appended_does_not(int length)
    {
        var password = PasswordOf(length);
        string stored = PasswordHash.Create(password, Iterations);

        Assert.StartsWith(PasswordHash.Scheme + "$", stored);
        Assert.True(PasswordHash.Verify(password, stored));
        Assert.False(PasswordHash.Verify(WithNuls(password, 1), stored));
        Assert.False(PasswordHash.Verify(WithNuls(password, 2), stored));
    }

    [Theory, MemberData(nameof(Lengths))]
    public void A_password_that_ends_in_nuls_is_not_matched_by_itself_without_them(int length)
    {
        var password = PasswordOf(length);
        string stored = PasswordHash.Create(WithNuls(password, 2), Iterations);

        Assert.True(PasswordHash.Verify(WithNuls(password, 2), stored));
        Assert.False(PasswordHash.Verify(WithNuls(password, 1), stored));
        Assert.False(PasswordHash.Verify(password, stored));
    }

    [Fact]
    public void The_flaw_is_real_in_plain_pbkdf2_and_closed_in_the_current_form()
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        byte[] Plain(byte[] key) => Rfc2898DeriveBytes.Pbkdf2(key, salt, Iterations, HashAlgorithmName.SHA256, 32);

        // Zero padding: "pw" and "pw\0" are the same HMAC key; a 63-byte password and itself + NUL too.
        Assert.Equal(Plain("pw"u8.ToArray()), Plain("pw\0"u8.ToArray()));
        Assert.Equal(Plain(PasswordOf(63)), Plain(WithNuls(PasswordOf(63), 1)));
        // A key longer than the 64-byte block is replaced by its SHA-256: the digest is a second password.
        var longPassword = Encoding.ASCII.GetBytes(new string('x', 100));
        Assert.Equal(Plain(longPassword), Plain(SHA256.HashData(longPassword)));

        string stored = PasswordHash.Create(longPassword, Iterations);
        Assert.True(PasswordHash.Verify(longPassword, stored));
        Assert.False(PasswordHash.Verify(SHA256.HashData(longPassword), stored));
    }

    [Theory, MemberData(nameof(Lengths))]
    public void A_stored_hash_in_the_first_form_still_matches_its_password_but_never_one_with_a_nul(int length)
    {
        var password = PasswordOf(length);
        string stored = LegacyHash(password);

        Assert.True(PasswordHash.IsWellFormed(stored));
        Assert.True(PasswordHash.IsLegacy(stored));
        Assert.True(PasswordHash.Verify(password, stored));
        Assert.False(PasswordHash.Verify(WithNuls(password, 1), stored));
        Assert.False(PasswordHash.Verify(WithNuls(password, 2), stored));
    }

    [Fact]
    public void Rehash_moves_a_device_to_the_current_form_only_with_its_right_password()
    {
        string registry = Path.Combine(Directory.CreateTempSubdirectory("rehash-").FullName, "devices.json");
        string password = PasswordHash.NewPassword();
        DeviceRegistryFile.Save(registry, [new DeviceEntry { Id = "EM-1", Site = "bkk", Kind = "emoto", PasswordHash = LegacyHash(Encoding.UTF8.GetBytes(password)) }]);
        var listing = new StringWriter();
        Assert.Equal(0, DevicesCommand.Run(["list", "--registry", registry], listing, TextWriter.Null));
        Assert.Contains("rehash", listing.ToString());

        var error = new StringWriter();
        Assert.Equal(1, DevicesCommand.Run(["rehash", "--id", "EM-1", "--registry", registry], TextWriter.Null, error, new StringReader(password + "x\n")));
        Assert.Contains("nothing changed", error.ToString());
        Assert.True(PasswordHash.IsLegacy(DeviceRegistryFile.Load(registry)[0].PasswordHash));

        Assert.Equal(0, DevicesCommand.Run(["rehash", "--id", "EM-1", "--registry", registry], TextWriter.Null, TextWriter.Null, new StringReader(password + "\n")));
        string upgraded = DeviceRegistryFile.Load(registry)[0].PasswordHash;
        Assert.StartsWith(PasswordHash.Scheme + "$", upgraded);
        Assert.True(PasswordHash.Verify(Encoding.UTF8.GetBytes(password), upgraded));
    }
}
