using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Edison.Core.Persistence;

internal static class PersistenceRegistration
{
    public static IHostApplicationBuilder AddPersistence(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.AddNpgsqlDataSource(CoreRegistration.DatabaseConnectionName);
        builder.Services.AddSingleton<DatabaseMigrator>();

        // Keys live in PostgreSQL so web, worker and every replica decrypt the same credentials. By default they are stored
        // unencrypted beside the data they protect (docs/security.md says why); with a certificate configured, every new key is
        // encrypted with it, and the database alone no longer opens the credentials.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("edison");
        if (DataProtectionCertificate.Load(builder.Configuration) is { } certificate)
        {
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((o, dataSource) => o.XmlRepository = new PostgresXmlRepository(dataSource));
        return builder;
    }
}
