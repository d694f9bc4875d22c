using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Llm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Runs;

internal static class RunsRegistration
{
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddSingleton<IterationStateStore>();
        services.AddSingleton<IterationLifecycle>();
        services.AddHybridCache();
        services.AddSingleton(sp => new SettledIterationCache(sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<Microsoft.Extensions.Caching.Hybrid.HybridCache>()));
        services.AddSingleton<WorkProgress>();
        services.AddSingleton<WorkChunkLedger>();
        services.AddSingleton<ChunkCompletion>();
        services.AddSingleton<BudgetGuard>();
        services.AddSingleton<RunEstimator>();
        services.AddSingleton(sp => new IterationService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IJobScheduler>(),
            sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<WorkProgress>(), sp.GetRequiredService<RunEstimator>(),
            sp.GetRequiredService<Edison.Core.Security.ProjectAccess>(), sp.GetRequiredService<SettledIterationCache>(), sp.GetRequiredService<IterationLifecycle>()));
        services.AddSingleton(sp => new ChunkExecutor(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LlmGateway>(),
            sp.GetRequiredService<ChunkCompletion>(), sp.GetRequiredService<IOptions<LlmOptions>>(), sp.GetRequiredService<BudgetGuard>()));
        services.AddSingleton(sp => new JudgeRunner(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LlmGateway>(),
            sp.GetRequiredService<ChunkCompletion>(), sp.GetRequiredService<BudgetGuard>(), sp.GetRequiredService<IOptions<LlmOptions>>(),
            sp.GetRequiredService<IOptions<Judging.JudgingOptions>>()));
        services.AddSingleton(sp => new IterationSweeper(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IJobScheduler>()));
        return services;
    }
}
