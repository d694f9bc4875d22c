using System.Globalization;
using Edison.Testing;
using Npgsql;

namespace Edison.IntegrationTests.FaultDrills;

/// <summary>Where the shared servers listen, for a <see cref="TcpFaultProxy"/> to stand in front of them.</summary>
internal static class FaultDrillEndpoints
{
    public static (string Host, int Port) Redis()
    {
        var endpoint = TestEnvironment.RedisConnectionString.Split(',')[0].Trim();
        var colon = endpoint.LastIndexOf(':');
        return colon < 0 ? (endpoint, 6379) : (endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary><paramref name="connectionString"/> pointed at the proxy instead of the server.</summary>
    public static string ThroughProxy(string connectionString, TcpFaultProxy proxy) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;

    public static (string Host, int Port) Postgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return (builder.Host ?? "127.0.0.1", builder.Port);
    }
}
