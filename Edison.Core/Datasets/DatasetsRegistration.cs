using Edison.Core.Datasets.Browse;
using Edison.Core.Datasets.Coverage;
using Edison.Core.Datasets.Import;
using Edison.Core.Datasets.Splits;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Edison.Core.Datasets;

/// <summary>Registers the test data studio's datasets: import/export, splits, the catalog and coverage.</summary>
public static class DatasetsRegistration
{
    /// <summary>Adds the dataset services (generation and assist are their own features, registered by <c>AddEdisonCore()</c>).</summary>
    public static IHostApplicationBuilder AddDatasets(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp => new DatasetReader(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new DatasetImporter(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new DatasetExporter(sp.GetRequiredService<DatasetReader>()));
        services.TryAddSingleton(sp => new DatasetSplitService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new DatasetCatalog(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new CoverageService(sp.GetRequiredService<NpgsqlDataSource>()));
        return builder;
    }
}
