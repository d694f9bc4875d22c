using Microsoft.AspNetCore.DataProtection;

namespace Edison.Core.Llm;

/// Encrypts API keys at rest; only the last four characters are ever shown.
internal sealed class CredentialProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Edison.ProviderCredentials.v1");

    public string Protect(string apiKey) => _protector.Protect(apiKey);

    public string Unprotect(string encrypted) => _protector.Unprotect(encrypted);

    public static string LastFour(string apiKey) => apiKey.Length <= 4 ? new string('•', apiKey.Length) : apiKey[^4..];
}
