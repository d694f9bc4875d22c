namespace Edison.AppHost.Infra;

/// Where PostgreSQL and Redis come from (configuration key <c>Edison:Infra</c>).
internal enum InfraMode
{
    /// External when a connection string is given, else containers when a runtime answers, else executables.
    Auto,

    /// Servers that already run somewhere, named by ConnectionStrings:edisondb and ConnectionStrings:redis.
    External,

    /// Aspire's PostgreSQL and Redis containers (needs a working Docker or Podman).
    Containers,

    /// The locally installed postgres and redis-server, run by the AppHost.
    Executables,
}
