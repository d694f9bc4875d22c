using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Runs;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Edison.Core.Api;

/// <summary>Registers the Core services behind the JSON API.</summary>
public static class ApiCoreRegistration
{
    /// <summary>Adds <see cref="ApiStore"/> and <see cref="CiCheckService"/>; call after <c>AddEdisonCore()</c>.</summary>
    public static IHostApplicationBuilder AddEdisonApiCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp => new ApiStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Prompts.PromptVersionStore>()));
        builder.Services.TryAddSingleton(sp => new CiCheckService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IJobScheduler>(),
            sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<IterationService>(), sp.GetRequiredService<ApiStore>(),
            sp.GetRequiredService<ProjectAccess>()));
        return builder;
    }
}
