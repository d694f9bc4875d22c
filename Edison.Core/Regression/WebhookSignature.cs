using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edison.Core.Regression;

/// <summary>
/// The HMAC signature on each webhook POST: <c>sha256=</c> + lowercase hex of HMAC-SHA256(secret, "{timestamp}.{body}"),
/// where timestamp is the <see cref="TimestampHeader"/> value (Unix seconds). Signing the timestamp lets a receiver refuse replays.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header carrying the signature.</summary>
    public const string SignatureHeader = "X-Edison-Signature";

    /// <summary>The header carrying the Unix time (seconds) the request was signed.</summary>
    public const string TimestampHeader = "X-Edison-Timestamp";

    /// <summary>The header carrying the alert id, the same on every retry of one alert so a receiver can drop duplicates.</summary>
    public const string DeliveryHeader = "X-Edison-Delivery";

    /// <summary>The header naming the event.</summary>
    public const string EventHeader = "X-Edison-Event";

    /// <summary>The signature header's value for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, string body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(body);
        var payload = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload));
    }

    /// <summary>Whether <paramref name="signature"/> is the one <see cref="Sign"/> gives, compared in constant time.</summary>
    public static bool Verify(string secret, long timestamp, string body, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)),
            Encoding.ASCII.GetBytes(signature));

    /// <summary>A new random secret: 32 bytes, base64url.</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
