using Edison.Core.Assist;
using Edison.Core.Datasets.Browse;
using Edison.Core.Datasets.Coverage;
using Edison.Core.Datasets.Import;
using Edison.Core.Events;
using Edison.Core.Datasets.Splits;
using Edison.Core.Generation;
using Edison.Core.Jobs;
using Edison.Core.Llm;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edison.Core.Datasets;

/// <summary>Registers the test data studio: import/export, splits, synthetic generation and AI assist.</summary>
public static class DatasetsRegistration
{
    /// <summary>Adds the dataset, generation and assist services (call after <c>AddEdisonCore()</c>'s gateway registration).</summary>
    public static IHostApplicationBuilder AddDatasets(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp => new DatasetReader(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new DatasetImporter(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new DatasetExporter(sp.GetRequiredService<DatasetReader>()));
        services.TryAddSingleton(sp => new DatasetSplitService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new GenerationService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LlmGateway>(),
            sp.GetRequiredService<IJobScheduler>(), sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<ILogger<GenerationService>>(),
            sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new DatasetCatalog(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new CoverageService(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new GenerationDefaultsQuery(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new AssistStreamer(sp.GetRequiredService<LlmGateway>()));
        services.TryAddSingleton(sp => new AssistService(sp.GetRequiredService<LlmGateway>(), sp.GetRequiredService<AssistStreamer>(),
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        services.TryAddSingleton(sp => new AssistSettingsStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ProjectAccess>()));
        return builder;
    }
}
