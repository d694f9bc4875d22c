using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Edison.Core;
using Edison.Core.Persistence;
using Edison.Testing;
using Edison.Worker;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edison.IntegrationTests.Persistence;

/// Issue 18, finding 17: with Edison:DataProtection:CertificatePath set, the key ring in PostgreSQL is encrypted with that
/// certificate (the database alone no longer opens the provider keys), and another process with the same certificate reads it.
public sealed class DataProtectionHostileTests
{
    [Fact]
    public async Task KeyRing_WithACertificateConfigured_HostileIsEncryptedAtRestAndStillReadable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var database = TestDatabase.Reserve();
        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).MigrateAsync(database.ConnectionString, [MigrateCommand.QuartzSchemaScript()], cts.Token);
        var folder = Directory.CreateTempSubdirectory("edison-dp-");
        try
        {
            var pfx = Path.Combine(folder.FullName, "keyring.pfx");
            using (var rsa = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=Edison key ring test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
                await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx password"), cts.Token);
            }

            string protectedText;
            using (var first = Host(database.ConnectionString, pfx))
            {
                protectedText = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("sk-the-provider-key");
            }

            await using var connection = await database.DataSource.OpenConnectionAsync(cts.Token);
            var xml = string.Join("\n", await connection.QueryAsync<string>("SELECT xml FROM data_protection_keys"));
            Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("unencrypted form", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);

            using var second = Host(database.ConnectionString, pfx);
            Assert.Equal("sk-the-provider-key", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedText));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static IHost Host(string connectionString, string pfx)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration[$"ConnectionStrings:{CoreRegistration.DatabaseConnectionName}"] = connectionString;
        builder.Configuration["Edison:DataProtection:CertificatePath"] = pfx;
        builder.Configuration["Edison:DataProtection:CertificatePassword"] = "pfx password";
        builder.AddPersistence();
        return builder.Build();
    }
}
