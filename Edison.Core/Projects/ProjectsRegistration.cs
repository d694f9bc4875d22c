using Edison.Core.Bundles;
using Edison.Core.Datasets.Import;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Edison.Core.Projects;

internal static class ProjectsRegistration
{
    /// Project administration (rename, transfer, delete, export); the export reuses experiment bundles, so they are registered too.
    public static IHostApplicationBuilder AddProjects(this IHostApplicationBuilder builder)
    {
        builder.AddEdisonBundles();
        builder.Services.TryAddSingleton(sp => new ProjectService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>(),
            sp.GetRequiredService<BundleService>(), sp.GetRequiredService<DatasetExporter>(), sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
