namespace Edison.AppHost.Infra;

/// The configuration keys the AppHost reads; as environment variables ':' becomes '__'.
internal static class InfraSettings
{
    public const string Mode = "Edison:Infra";
    public const string PostgresBinDir = "Edison:Infra:PostgresBinDir";
    public const string PostgresPort = "Edison:Infra:PostgresPort";
    public const string RedisPort = "Edison:Infra:RedisPort";
    public const string WebPort = "Edison:WebPort";
    public const string RedisKeyPrefix = "Edison:Redis:KeyPrefix";

    public const int DefaultPostgresPort = 55432;
    public const int DefaultRedisPort = 56379;
    public const int DefaultWebPort = 5180;
}
