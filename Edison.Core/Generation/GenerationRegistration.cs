using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Llm;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edison.Core.Generation;

internal static class GenerationRegistration
{
    public static IServiceCollection AddGeneration(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new GenerationService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LlmGateway>(),
            sp.GetRequiredService<IJobScheduler>(), sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<ILogger<GenerationService>>(),
            sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new GenerationDefaultsQuery(sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }
}
