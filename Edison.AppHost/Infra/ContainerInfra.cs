using Edison.ServiceDefaults;

namespace Edison.AppHost.Infra;

/// Aspire's PostgreSQL and Redis containers, for machines with a working Docker or Podman engine.
internal static class ContainerInfra
{
    public static EdisonInfra Add(IDistributedApplicationBuilder builder)
    {
        var database = builder.AddPostgres(ResourceNames.Postgres)
            .WithDataVolume()
            .AddDatabase(ResourceNames.Database);
        var redis = builder.AddRedis(ResourceNames.Redis);
        return new EdisonInfra(InfraMode.Containers, database, redis,
            "Edison infra: containers (Aspire's PostgreSQL with a data volume, and Redis)");
    }
}
