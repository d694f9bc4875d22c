using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Edison.Core.Persistence;

/// <summary>
/// The optional certificate that encrypts the Data Protection key ring at rest (issue 18, finding 17):
/// <c>Edison:DataProtection:CertificatePath</c> (a PKCS #12 / .pfx file with its private key) and
/// <c>Edison:DataProtection:CertificatePassword</c>. Web and worker need the same certificate.
/// </summary>
internal static class DataProtectionCertificate
{
    public const string Section = "Edison:DataProtection";

    /// <summary>The configured certificate, or null when none is configured; a configured but unusable one fails the start.</summary>
    public static X509Certificate2? Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var path = section["CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{Section}:CertificatePath names {path}, which does not exist.");
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, section["CertificatePassword"], X509KeyStorageFlags.EphemeralKeySet);
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{Section}:CertificatePath ({path}) has no private key: the key ring could be encrypted but never read.");
        }

        return certificate;
    }
}
