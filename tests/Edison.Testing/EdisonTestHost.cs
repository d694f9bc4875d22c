using Edison.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edison.Testing;

/// <summary>
/// An in-process host with Edison's Core services on a test database and Redis prefix, configured only by what the test
/// passes (no appsettings, no environment), so a CI variable can never redirect it.
/// </summary>
public static class EdisonTestHost
{
    /// <summary>
    /// A builder with <c>AddEdisonCore()</c> applied. Add what the test needs (an <c>IJobScheduler</c>, the Quartz client),
    /// then build, start and dispose the host.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string databaseConnectionString, string redisConnectionString,
        IEnumerable<KeyValuePair<string, string?>>? settings = null, LogCollector? logs = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(redisConnectionString);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [$"ConnectionStrings:{CoreRegistration.DatabaseConnectionName}"] = databaseConnectionString,
            [$"ConnectionStrings:{CoreRegistration.RedisConnectionName}"] = redisConnectionString,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddEdisonCore();
        return builder;
    }

    /// <summary>Stops a host within 15 s and disposes it; a null host (a fixture that never started) is ignored.</summary>
    public static async Task StopAndDisposeAsync(IHost? host)
    {
        if (host is null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await host.StopAsync(cts.Token);
        host.Dispose();
    }
}
