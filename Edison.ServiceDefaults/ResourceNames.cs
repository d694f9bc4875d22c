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

    /// The ActivitySource and Meter of job executions in the worker (spans, queue depth, latency).
    public const string JobTelemetrySource = "Edison.Jobs";

    /// Quartz 4's own ActivitySource and Meter (Quartz.Diagnostics.QuartzInstrumentation), named here because
    /// ServiceDefaults does not reference Quartz.
    public const string Quartz = "Quartz";
}
