using System.Security.Cryptography;
using System.Text;

namespace RagService.Api.Security;

/// <summary>A stored API key: who it speaks for, never the key itself (only a salted hash of it is kept).</summary>
public sealed record ApiKeyRecord(
    string Id,
    string Name,
    string Tenant,
    string Role,
    string? User,
    IReadOnlyList<string> Groups,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    bool IsSystem)
{
    public Caller ToCaller() => new(Id, Tenant, User, Groups, Role, IsSystem);
}

/// <summary>
/// The key format and its hashing. A key reads <c>rag_{id}_{secret}</c>: the id finds the record without a
/// scan, the 256-bit secret makes it unguessable. A configured admin key may have any form; it is found as
/// the system key's record. Keys are hashed with HMAC-SHA256 under a per-key random salt (a fast hash is
/// enough for a high-entropy secret) and compared in constant time.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "rag_";

    /// <summary>The id of the system admin key (bootstrap or configured).</summary>
    public const string SystemKeyId = "admin";

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string NewKey(string id) => Prefix + id + "_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The id a key names, or null when it is not of the <c>rag_{id}_{secret}</c> form.</summary>
    public static string? IdOf(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = key.IndexOf('_', Prefix.Length);
        return end > Prefix.Length ? key[Prefix.Length..end] : null;
    }

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    public static byte[] Hash(string key, byte[] salt) => HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes(key));

    public static bool Matches(string key, byte[] salt, byte[] hash) => CryptographicOperations.FixedTimeEquals(Hash(key, salt), hash);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
