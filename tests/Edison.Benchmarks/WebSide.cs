using Edison.Core;
using Edison.Core.Experiments;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.Testing;
using Edison.Worker.Scheduling;
using Microsoft.Extensions.Logging;

namespace Edison.Benchmarks;

/// The web app's side of the path, in process: Edison's services plus the Quartz client the web app schedules with.
internal sealed class WebSide : IAsyncDisposable
{
    private readonly IHost _host;

    private WebSide(IHost host)
    {
        _host = host;
        Experiments = host.Services.GetRequiredService<ExperimentService>();
        Iterations = host.Services.GetRequiredService<IterationService>();
    }

    public ExperimentService Experiments { get; }

    /// The host's services, for what the benchmarks seed or publish as the web app or a worker would.
    public IServiceProvider Services => _host.Services;

    public IterationService Iterations { get; }

    /// <summary>The default project's owner the benchmark acts as (Core checks every action's role).</summary>
    public Task<Actor> OwnerAsync(CancellationToken cancellationToken) => TestActors.OwnerAsync(_host.Services, cancellationToken);

    public static async Task<WebSide> StartAsync(string databaseConnectionString, string redisConnectionString, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{CoreRegistration.DatabaseConnectionName}"] = databaseConnectionString,
            [$"ConnectionStrings:{CoreRegistration.RedisConnectionName}"] = redisConnectionString,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddEdisonCore();
        builder.AddEdisonScheduler(runsJobs: false);

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new WebSide(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
