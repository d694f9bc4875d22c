using Edison.ServiceDefaults;

namespace Edison.AppHost.Infra;

/// Aspire's PostgreSQL and Redis containers, for machines with a working Docker or Podman engine.
internal static class ContainerInfra
{
    public static EdisonInfra Add(IDistributedApplicationBuilder builder, bool runtimeChecked)
    {
        // Without an engine Aspire's containers stay RuntimeUnhealthy and everything waits, with one warning line.
        if (!runtimeChecked && !ContainerRuntime.Answers())
        {
            throw new InfraSetupException(
                $"{InfraSettings.Mode}=containers needs a running container engine, but neither `docker info` nor `podman info` " +
                $"answered within 5 s. Start the engine, or run the local servers instead: {InfraSettings.Mode}=executables " +
                "(`sudo apt-get install postgresql redis-server`).");
        }

        var database = builder.AddPostgres(ResourceNames.Postgres)
            .WithDataVolume()
            .AddDatabase(ResourceNames.Database);
        var redis = builder.AddRedis(ResourceNames.Redis);
        return new EdisonInfra(InfraMode.Containers, database, redis,
            "Edison infra: containers (Aspire's PostgreSQL with a data volume, and Redis)");
    }
}
