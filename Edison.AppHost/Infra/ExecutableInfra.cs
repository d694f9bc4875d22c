using System.Globalization;
using Edison.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.AppHost.Infra;

/// The locally installed PostgreSQL and Redis (Debian: `sudo apt-get install postgresql redis-server`), run by the
/// AppHost as executable resources with real readiness checks. Every precondition is checked here, before the app
/// model is built, so a missing binary, an unwritable folder or a taken port is an immediate, actionable error.
internal static class ExecutableInfra
{
    private const string RedisServerResource = "redis-server";
    private const string PostgresReadyCheck = "edison-postgres-ready";
    private const string RedisReadyCheck = "edison-redis-ready";

    // postgres treats SIGTERM as a "smart" shutdown that waits for every client, and runuser SIGKILLs its child 2 s
    // after forwarding SIGTERM; turning the stop signal into SIGINT (fast shutdown) ends the server cleanly in time.
    private const string FastStopWrapper =
        "\"$@\" & pid=$!; trap 'kill -INT \"$pid\" 2>/dev/null' TERM INT; " +
        "wait \"$pid\"; rc=$?; while kill -0 \"$pid\" 2>/dev/null; do wait \"$pid\"; rc=$?; done; exit \"$rc\"";

    public static EdisonInfra Add(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var binaries = PostgresBinaries.Find(configuration[InfraSettings.PostgresBinDir]);
        var redisServer = CommandLine.FindOnPath("redis-server") ?? throw new InfraSetupException(
            "redis-server not found on PATH. Install it with `sudo apt-get install redis-server`, " +
            $"or use an existing server: {InfraSettings.Mode}=external with ConnectionStrings__edisondb and ConnectionStrings__redis.");
        var postgresPort = LocalPort.Read(configuration, InfraSettings.PostgresPort, InfraSettings.DefaultPostgresPort);
        var redisPort = LocalPort.Read(configuration, InfraSettings.RedisPort, InfraSettings.DefaultRedisPort);

        var account = PostgresAccount.ForCurrentProcess();
        var postgresData = PostgresDataDirectory.Locate(account);
        PostgresDataDirectory.ThrowIfServerRunning(postgresData, binaries, account);
        LocalPort.EnsureFree(postgresPort, "PostgreSQL", InfraSettings.PostgresPort);
        LocalPort.EnsureFree(redisPort, "Redis", InfraSettings.RedisPort,
            $" (a redis-server left from an earlier run? `redis-cli -p {redisPort} shutdown`)");
        PostgresDataDirectory.EnsureInitialized(postgresData, binaries, account);
        var redisData = RedisDataDirectory.Prepare();

        var pgPort = postgresPort.ToString(CultureInfo.InvariantCulture);
        var (postgresProgram, postgresArguments) = account.Wrap("bash", "-c", FastStopWrapper, "edison-postgres",
            binaries.Postgres, "-D", postgresData, "-p", pgPort, "-k", postgresData, "-c", "listen_addresses=127.0.0.1");
        var postgres = builder.AddExecutable(ResourceNames.Postgres, postgresProgram, postgresData, postgresArguments)
            .WithHealthCheck(PostgresReadyCheck);

        var rdPort = redisPort.ToString(CultureInfo.InvariantCulture);
        var redisExecutable = builder.AddExecutable(RedisServerResource, redisServer, redisData,
                "--bind", "127.0.0.1", "--port", rdPort, "--dir", redisData, "--save", "60 1", "--appendonly", "no")
            .WithHealthCheck(RedisReadyCheck);

        builder.Services.AddHealthChecks()
            .AddAsyncCheck(PostgresReadyCheck, ct => InfraReadiness.PostgresAsync(postgresPort, ct))
            .AddAsyncCheck(RedisReadyCheck, ct => InfraReadiness.RedisAsync(redisPort, ct));

        var database = builder.AddConnectionString(ResourceNames.Database,
                ReferenceExpression.Create($"Host=127.0.0.1;Port={pgPort};Username=postgres;Database={ResourceNames.Database}"))
            .WaitFor(postgres);
        var redis = builder.AddConnectionString(ResourceNames.Redis, ReferenceExpression.Create($"127.0.0.1:{rdPort}"))
            .WaitFor(redisExecutable);
        return new EdisonInfra(InfraMode.Executables, database, redis,
            $"Edison infra: local executables: PostgreSQL {binaries.MajorVersion} on 127.0.0.1:{pgPort} (data in {postgresData}), " +
            $"Redis on 127.0.0.1:{rdPort} (data in {redisData})");
    }
}
