using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Edison.Core.Prompts;

internal static class PromptsRegistration
{
    public static IServiceCollection AddPrompts(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new PromptVersionStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        return services;
    }
}
