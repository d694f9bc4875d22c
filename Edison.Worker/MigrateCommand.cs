using DbUp.Engine;
using Edison.Core;
using Edison.Core.Persistence;
using Microsoft.AspNetCore.DataProtection;

namespace Edison.Worker;

/// The one-shot `migrate` step: Edison's scripts, Quartz's own schema and the first Data Protection key, then exit 0.
internal static partial class MigrateCommand
{
    // Pinned to the Quartz version: a Quartz upgrade adds its upgrade script as a new migration.
    internal const string QuartzScriptName = DatabaseMigrator.ScriptPrefix + "9000_quartz_4_7_3.sql";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args.Where(a => a != "migrate").ToArray());
        builder.AddEdisonPersistence();
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Edison.Migrate");
        var connectionString = builder.Configuration.GetConnectionString(CoreRegistration.DatabaseConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            LogMissingConnectionString(logger, CoreRegistration.DatabaseConnectionName);
            return 2;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            var migrator = host.Services.GetRequiredService<DatabaseMigrator>();
            var applied = await migrator.MigrateAsync(connectionString, [QuartzSchemaScript()], timeout.Token);
            // Creating the first key here means web and worker never race to create two.
            host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Edison.Migrate").Protect("ready");
            LogDone(logger, applied.Count);
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            LogFailed(logger, ex);
            return 1;
        }
    }

    internal static SqlScript QuartzSchemaScript()
    {
        var assembly = typeof(Quartz.Impl.AdoJobStore.PostgreSQLDelegate).Assembly;
        using var stream = assembly.GetManifestResourceStream("Quartz.Impl.AdoJobStore.Schema.create_postgres.sql")
            ?? throw new InvalidOperationException("Quartz.dll no longer embeds create_postgres.sql; check the Quartz upgrade notes.");
        using var reader = new StreamReader(stream);
        return new SqlScript(QuartzScriptName, reader.ReadToEnd().Replace("{0}", "qrtz_", StringComparison.Ordinal)
            .Replace("{1}", "qrtz_", StringComparison.Ordinal));
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "ConnectionStrings:{Name} is not set; nothing to migrate")]
    private static partial void LogMissingConnectionString(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database is up to date ({Applied} scripts applied now)")]
    private static partial void LogDone(ILogger logger, int applied);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Migration failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
