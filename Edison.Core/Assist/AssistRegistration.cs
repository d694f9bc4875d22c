using Edison.Core.Llm;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Edison.Core.Assist;

internal static class AssistRegistration
{
    public static IServiceCollection AddAssist(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new AssistStreamer(sp.GetRequiredService<LlmGateway>()));
        services.TryAddSingleton(sp => new AssistService(sp.GetRequiredService<LlmGateway>(), sp.GetRequiredService<AssistStreamer>(),
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new AssistSettingsStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        return services;
    }
}
