using System.Text.Json;

namespace Edison.Core.Llm.Providers.Vertex;

/// The fields of a Google service-account JSON key that Vertex needs.
internal sealed record ServiceAccountKey(string ClientEmail, string PrivateKey, string? PrivateKeyId, string TokenUri, string? ProjectId)
{
    public const string DefaultTokenUri = "https://oauth2.googleapis.com/token";

    /// Null when the text is not a usable key; <paramref name="problem"/> says why in words.
    public static ServiceAccountKey? Parse(string json, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Field(root, "type") != "service_account")
            {
                problem = "Paste the service account's JSON key: an object with \"type\": \"service_account\".";
                return null;
            }

            var email = Field(root, "client_email");
            var privateKey = Field(root, "private_key");
            if (string.IsNullOrWhiteSpace(email) || privateKey?.Contains("PRIVATE KEY", StringComparison.Ordinal) != true)
            {
                problem = "The JSON key lacks client_email or a PEM private_key; download a new key for the service account.";
                return null;
            }

            var tokenUri = Field(root, "token_uri") ?? DefaultTokenUri;
            if (!Uri.TryCreate(tokenUri, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                problem = "The JSON key's token_uri is not an http(s) address.";
                return null;
            }

            if (Security.OutboundPolicy.Refusal(uri, allowPrivate: true) is { } refused)
            {
                problem = $"The JSON key's token_uri cannot be used: {refused}";
                return null;
            }

            problem = null;
            return new ServiceAccountKey(email, privateKey, Field(root, "private_key_id"), tokenUri, Field(root, "project_id"));
        }
        catch (JsonException)
        {
            problem = "The key is not JSON: paste the service account's whole JSON key file.";
            return null;
        }
    }

    /// Keeps the private key out of logs that print the record.
    public override string ToString() => $"service account {ClientEmail}";

    private static string? Field(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
