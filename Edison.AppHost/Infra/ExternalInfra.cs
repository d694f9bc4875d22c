using Edison.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace Edison.AppHost.Infra;

/// PostgreSQL and Redis that already run somewhere (CI, tests, a shared server).
internal static class ExternalInfra
{
    public static EdisonInfra Add(IDistributedApplicationBuilder builder)
    {
        // AddConnectionString without a value waits silently for one, so a missing value fails here instead.
        var missing = new[] { ResourceNames.Database, ResourceNames.Redis }
            .Where(name => string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)))
            .Select(name => $"ConnectionStrings__{name}")
            .ToList();
        if (missing.Count > 0)
        {
            throw new InfraSetupException(
                $"{InfraSettings.Mode}=external needs {string.Join(" and ", missing)} " +
                "(environment variables, or --ConnectionStrings:<name>=... on the command line), e.g. " +
                "ConnectionStrings__edisondb=\"Host=127.0.0.1;Port=5432;Username=postgres;Database=edisondb\" " +
                "ConnectionStrings__redis=\"127.0.0.1:6379\". Or drop the setting to run local servers.");
        }

        return new EdisonInfra(InfraMode.External,
            builder.AddConnectionString(ResourceNames.Database),
            builder.AddConnectionString(ResourceNames.Redis),
            "Edison infra: external servers from ConnectionStrings:edisondb and ConnectionStrings:redis");
    }

    /// Publish mode: the deployment supplies both as parameters (azd asks for them), nothing is started here.
    public static EdisonInfra AddParameters(IDistributedApplicationBuilder builder) =>
        new(InfraMode.External,
            builder.AddConnectionString(ResourceNames.Database),
            builder.AddConnectionString(ResourceNames.Redis),
            "Edison infra: connection-string parameters edisondb and redis, supplied by the deployment");
}
