using System.Globalization;
using Edison.Core;

namespace Edison.Benchmarks;

/// The two servers come from the same variables CI sets; sizes can be changed on the command line.
internal sealed record BenchmarkSettings(string PostgresConnectionString, string RedisConnectionString, int Samples, int BigCases)
{
    public const string Usage = """
        Set ConnectionStrings__edisondb (PostgreSQL; any database, the benchmark creates its own) and
        ConnectionStrings__redis, then: dotnet run -c Release --project tests/Edison.Benchmarks [-- --samples 20 --big-cases 300]
        """;

    public static BenchmarkSettings? FromEnvironment(string[] args)
    {
        var postgres = Environment.GetEnvironmentVariable($"ConnectionStrings__{CoreRegistration.DatabaseConnectionName}");
        var redis = Environment.GetEnvironmentVariable($"ConnectionStrings__{CoreRegistration.RedisConnectionName}");
        if (string.IsNullOrWhiteSpace(postgres) || string.IsNullOrWhiteSpace(redis))
        {
            return null;
        }

        return new BenchmarkSettings(postgres, redis, Option(args, "--samples", 20), Option(args, "--big-cases", 300));
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
    }
}
