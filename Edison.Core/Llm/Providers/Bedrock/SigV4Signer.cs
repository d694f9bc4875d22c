using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Edison.Core.Llm.Providers.Bedrock;

/// <summary>
/// AWS Signature Version 4 for a request with a JSON body: the canonical request, the string to sign, the derived key and
/// the Authorization header. Paths are encoded a second time, as for every AWS service except S3.
/// </summary>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// Adds x-amz-date (and x-amz-security-token for temporary keys) and the Authorization header to the request.
    public static void Sign(HttpRequestMessage request, byte[] payload, AwsKeys keys, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(keys);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = uri.Authority, ["x-amz-date"] = amzDate };
        request.Headers.Add("x-amz-date", amzDate);
        if (keys.SessionToken is { } token)
        {
            headers["x-amz-security-token"] = token;
            request.Headers.Add("x-amz-security-token", token);
        }

        var authorization = Authorization(request.Method.Method, CanonicalUri(uri.AbsolutePath), CanonicalQuery(uri.Query), headers,
            Hex(SHA256.HashData(payload)), keys, region, service, now);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    /// The Authorization header value; <paramref name="headers"/> are the signed headers, names in lower case.
    public static string Authorization(string method, string canonicalUri, string canonicalQuery, IReadOnlyDictionary<string, string> headers,
        string payloadHash, AwsKeys keys, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(keys);
        var sorted = headers.OrderBy(h => h.Key, StringComparer.Ordinal).ToList();
        var signedHeaders = string.Join(';', sorted.Select(h => h.Key));
        var canonicalHeaders = string.Concat(sorted.Select(h => $"{h.Key}:{h.Value.Trim()}\n"));
        var canonicalRequest = $"{method}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\n{payloadHash}";

        var date = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + keys.SecretAccessKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));
        return $"{Algorithm} Credential={keys.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// Each segment of the (already escaped) path is escaped again: AWS signs the twice-encoded path.
    public static string CanonicalUri(string absolutePath) =>
        absolutePath.Length == 0 ? "/" : string.Join('/', absolutePath.Split('/').Select(Escape));

    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
        {
            return "";
        }

        var pairs = query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
            .Select(p => (Name: Escape(Uri.UnescapeDataString(p[0])), Value: p.Length > 1 ? Escape(Uri.UnescapeDataString(p[1])) : ""))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => $"{p.Name}={p.Value}"));
    }

    // RFC 3986 unreserved characters stay; everything else becomes %XX in upper case (Uri.EscapeDataString does exactly that).
    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
