using System.Security.Cryptography;
using System.Text;

namespace Edison.Core.Security;

/// <summary>Opaque random tokens (invitation links, API tokens) and the SHA-256 hash they are stored as.</summary>
public static class SecretTokens
{
    /// <summary>A new 256-bit token, URL-safe base64.</summary>
    public static string New(string prefix = "") =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The lowercase hex SHA-256 of a token: a token is high-entropy, so no salt or slow hash is needed.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
