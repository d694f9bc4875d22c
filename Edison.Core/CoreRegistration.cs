using Edison.Core.Assist;
using Edison.Core.Datasets;
using Edison.Core.Generation;
using Edison.Core.Accounts;
using Edison.Core.Events;
using Edison.Core.Experiments;
using Edison.Core.ClosedLoop;
using Edison.Core.Llm;
using Edison.Core.Persistence;
using Edison.Core.Projects;
using Edison.Core.Prompts;
using Edison.Core.ReadModels;
using Edison.Core.Refining;
using Edison.Core.Regression;
using Edison.Core.Runs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Edison.Core;

/// <summary>The one entry point a host calls to get Edison's domain services.</summary>
public static class CoreRegistration
{
    /// <summary>The connection-string name of Edison's PostgreSQL database (the AppHost resource of the same name).</summary>
    public const string DatabaseConnectionName = "edisondb";

    /// <summary>The connection-string name of Redis.</summary>
    public const string RedisConnectionName = "redis";

    /// <summary>Registers persistence, events, the LLM gateway and the experiment loop.</summary>
    public static IHostApplicationBuilder AddEdisonCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddPersistence();
        builder.AddEvents();
        builder.AddLlmGateway();
        builder.Services.AddAccounts();
        builder.Services.AddPrompts();
        builder.Services.AddExperiments();
        builder.Services.AddRefining();
        builder.Services.AddRuns();
        builder.Services.AddLoop();
        builder.AddDatasets();
        builder.Services.AddGeneration();
        builder.Services.AddAssist();
        builder.AddProjects();
        builder.Services.AddReadModels();
        builder.AddScheduledRegressions();
        return builder;
    }

    /// <summary>Registers only what the one-shot migrate step needs: the database, the migrator and Data Protection.</summary>
    public static IHostApplicationBuilder AddEdisonPersistence(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder.AddPersistence();
    }
}
