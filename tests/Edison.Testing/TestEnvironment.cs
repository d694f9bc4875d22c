namespace Edison.Testing;

/// <summary>
/// The only outside inputs the tests accept: the PostgreSQL server and Redis server to use, from the same variables CI
/// sets. Everything else (database names, Redis prefixes, ports) the tests derive themselves.
/// </summary>
public static class TestEnvironment
{
    /// <summary>The variable naming the PostgreSQL server; its database name is ignored (tests create their own).</summary>
    public const string DatabaseVariable = "ConnectionStrings__edisondb";

    /// <summary>The variable naming the Redis server.</summary>
    public const string RedisVariable = "ConnectionStrings__redis";

    /// <summary>The PostgreSQL connection string from <see cref="DatabaseVariable"/>.</summary>
    public static string DatabaseConnectionString =>
        Read(DatabaseVariable, "Host=127.0.0.1;Port=57432;Username=postgres;Database=edisondb");

    /// <summary>The Redis connection string from <see cref="RedisVariable"/>.</summary>
    public static string RedisConnectionString => Read(RedisVariable, "127.0.0.1:57379");

    /// <summary>A fresh channel and key prefix, <c>t{guid}:</c>, so parallel tests never hear each other.</summary>
    public static string NewRedisPrefix() => $"t{Guid.NewGuid():N}:";

    /// <summary>The Redis connection string with the given channel prefix appended.</summary>
    public static string RedisConnectionStringWithPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        return $"{RedisConnectionString},channelPrefix={prefix}";
    }

    private static string Read(string variable, string example)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException(
                $"The integration tests need the environment variable {variable} (for example {variable}=\"{example}\"). " +
                "Set it, and the other of ConnectionStrings__edisondb / ConnectionStrings__redis, to servers the tests may create " +
                "databases and channels on; .ci/run sets both.")
            : value;
    }
}
