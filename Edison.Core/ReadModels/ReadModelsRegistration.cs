using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Edison.Core.ReadModels;

internal static class ReadModelsRegistration
{
    public static IServiceCollection AddReadModels(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ExperimentOverviewQuery(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new IterationInsightsQuery(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Runs.SettledIterationCache>()));
        services.TryAddSingleton(sp => new SuggestionReviewQuery(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new PromptVersionHistory(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Prompts.PromptVersionStore>()));
        services.TryAddSingleton(sp => new CostReportQuery(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new OutputComparisonQuery(sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }
}
