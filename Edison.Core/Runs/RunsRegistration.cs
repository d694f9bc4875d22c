using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Llm;
using Edison.Core.ClosedLoop;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Runs;

internal static class RunsRegistration
{
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddSingleton<IterationStateStore>();
        services.AddSingleton<IterationLifecycle>();
        services.AddSingleton<WorkProgress>();
        services.AddSingleton<WorkChunkLedger>();
        services.AddSingleton<ChunkCompletion>();
        services.AddSingleton<BudgetGuard>();
        services.AddSingleton<RunEstimator>();
        services.AddSingleton<IterationAggregator>();
        services.AddSingleton<LoopState>();
        services.AddSingleton(sp => new IterationService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IJobScheduler>(),
            sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<WorkProgress>(), sp.GetRequiredService<RunEstimator>(),
            sp.GetRequiredService<Edison.Core.Security.ProjectAccess>(), sp.GetRequiredService<ReadModels.SettledIterationCache>(), sp.GetRequiredService<IterationLifecycle>()));
        services.AddSingleton(sp => new IterationCoordinator(sp.GetRequiredService<IterationStateStore>(), sp.GetRequiredService<IterationLifecycle>(),
            sp.GetRequiredService<WorkProgress>(),
            sp.GetRequiredService<WorkChunkLedger>(),
            sp.GetRequiredService<IterationAggregator>(), sp.GetRequiredService<LoopState>(), sp.GetRequiredService<ReviewService>(),
            sp.GetRequiredService<Regression.RegressionRunService>(),
            sp.GetRequiredService<IJobScheduler>(), sp.GetRequiredService<IEventBus>(),
            sp.GetRequiredService<ILogger<IterationCoordinator>>()));
        services.AddSingleton(sp => new ChunkExecutor(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LlmGateway>(),
            sp.GetRequiredService<ChunkCompletion>(), sp.GetRequiredService<IOptions<LlmOptions>>(), sp.GetRequiredService<BudgetGuard>()));
        services.AddSingleton(sp => new IterationSweeper(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IJobScheduler>()));
        return services;
    }
}
