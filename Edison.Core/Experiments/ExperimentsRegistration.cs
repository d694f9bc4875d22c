using Edison.Core.Llm;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Edison.Core.Experiments;

internal static class ExperimentsRegistration
{
    public static IServiceCollection AddExperiments(this IServiceCollection services) =>
        services.AddSingleton(sp => new ExperimentService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<CredentialStore>(),
            sp.GetRequiredService<ProjectAccess>()))
            .AddSingleton(sp => new WizardDraftStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
}
