using Microsoft.AspNetCore.DataProtection;

namespace Edison.Core.Regression;

/// Encrypts each experiment's webhook signing secret at rest with the same key ring as provider keys.
internal sealed class WebhookSecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Edison.WebhookSecrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string encrypted) => _protector.Unprotect(encrypted);
}
