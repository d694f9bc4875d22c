extern alias web;

using System.Security.Claims;
using Edison.Core;
using Edison.Core.Security;
using Edison.Testing;
using Edison.Testing.Simulator;
using Edison.Worker.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using web::Edison.Web.Api;

namespace Edison.IntegrationTests.Api;

/// <summary>
/// The JSON API as the web app will map it (Core, the Quartz client, <c>AddEdisonApi</c> and <c>MapEdisonApi</c>) on
/// loopback Kestrel, with a real worker process running the jobs, on a database and Redis prefix of their own.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private ProviderSimulator? _simulator;
    private WorkerProcess? _worker;
    private WebApplication? _app;

    public TestDatabase Database => _database ?? throw NotStarted();

    public ProviderSimulator Simulator => _simulator ?? throw NotStarted();

    public IServiceProvider Services => (_app ?? throw NotStarted()).Services;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public WorkerProcess Worker => _worker ?? throw NotStarted();

    /// <summary>Who every request acts as.</summary>
    public Actor Owner { get; private set; } = new(Guid.Empty);

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _database = await TestDatabase.CreateAsync(cts.Token);
        _simulator = await ProviderSimulator.StartAsync(cts.Token);
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix());
        _worker = WorkerProcess.Start(_database.ConnectionString, redis);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Services.AddRoutingCore();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [$"ConnectionStrings:{CoreRegistration.DatabaseConnectionName}"] = _database.ConnectionString,
            [$"ConnectionStrings:{CoreRegistration.RedisConnectionName}"] = redis,
        });
        builder.AddEdisonCore();
        builder.AddEdisonScheduler(runsJobs: false);
        builder.AddEdisonApi();
        _app = builder.Build();
        _app.UseRouting();
        // The app's authentication is not mapped here: every request acts as the default project's owner, whom Core checks.
        _app.Use((context, next) =>
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, Owner.UserId.ToString())], "test"));
            return next(context);
        });
        _app.MapEdisonApi();
        await _app.StartAsync(cts.Token);
        Owner = await TestActors.OwnerAsync(_app.Services, cts.Token);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        await _worker.WaitHealthyAsync(cts.Token);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not been initialised.");
}
