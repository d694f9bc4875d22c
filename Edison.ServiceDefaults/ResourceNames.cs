namespace Edison.ServiceDefaults;

/// Names shared by the AppHost, the services and the tests, so a rename cannot drift.
public static class ResourceNames
{
    public const string Database = "edisondb";
    public const string Redis = "redis";
    public const string Web = "web";
    public const string Worker = "worker";
    public const string Migrate = "migrate";
    public const string Postgres = "postgres";

    /// The ActivitySource and Meter names Edison's own code emits on.
    public const string TelemetrySource = "Edison";
}
