using Edison.Core.Llm;
using Edison.Core.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Judging;

internal static class JudgingRegistration
{
    public static IServiceCollection AddJudging(this IServiceCollection services) =>
        services.AddSingleton(sp => new JudgeRunner(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LlmGateway>(),
            sp.GetRequiredService<ChunkCompletion>(), sp.GetRequiredService<BudgetGuard>(), sp.GetRequiredService<IOptions<LlmOptions>>(),
            sp.GetRequiredService<IOptions<JudgingOptions>>()));
}
