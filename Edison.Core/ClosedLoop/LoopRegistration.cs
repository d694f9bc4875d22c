using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Judging;
using Edison.Core.Llm;
using Edison.Core.Refining;
using Edison.Core.Runs;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.ClosedLoop;

internal static class LoopRegistration
{
    public static IServiceCollection AddLoop(this IServiceCollection services)
    {
        services.AddSingleton<IterationAggregator>();
        services.AddSingleton<LoopState>();
        services.AddSingleton(sp => new IterationCoordinator(sp.GetRequiredService<IterationStateStore>(), sp.GetRequiredService<IterationLifecycle>(),
            sp.GetRequiredService<WorkProgress>(), sp.GetRequiredService<WorkChunkLedger>(), sp.GetRequiredService<IterationAggregator>(),
            sp.GetRequiredService<LoopState>(), sp.GetRequiredService<ReviewService>(), sp.GetRequiredService<IMeasuredRunFinisher>(),
            sp.GetRequiredService<IJobScheduler>(), sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<ILogger<IterationCoordinator>>()));
        services.AddSingleton(sp => new IterationSummaryWriter(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LlmGateway>(),
            sp.GetRequiredService<ILogger<IterationSummaryWriter>>()));
        services.AddSingleton(sp => new ReviewService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IJobScheduler>(),
            sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<IterationAggregator>(), sp.GetRequiredService<ProjectAccess>(),
            sp.GetRequiredService<IterationLifecycle>()));
        services.AddSingleton(sp => new CandidateScreener(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LlmGateway>(),
            sp.GetRequiredService<IOptions<JudgingOptions>>()));
        services.AddSingleton(sp => new RefinementService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<RefinerPipeline>(),
            sp.GetRequiredService<ReviewService>(), sp.GetRequiredService<CandidateScreener>(), sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<ILogger<RefinementService>>(),
            sp.GetRequiredService<IterationLifecycle>()));
        return services;
    }
}
