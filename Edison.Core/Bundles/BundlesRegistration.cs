using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Edison.Core.Bundles;

/// <summary>Registers experiment bundles (export and import).</summary>
public static class BundlesRegistration
{
    /// <summary>Adds <see cref="BundleService"/>; call after <c>AddEdisonCore()</c>.</summary>
    public static IHostApplicationBuilder AddEdisonBundles(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp => new BundleService(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Edison.Core.Security.ProjectAccess>()));
        return builder;
    }
}
