using System.Net.Http.Headers;
using System.Reflection;
using Edison.Core.Accounts;
using Edison.Core.Api;
using Edison.Core.Bundles;
using Edison.Core.Jobs;
using Edison.Core.Security;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edison.IntegrationTests.Hostile;

/// <summary>
/// The real web app as a process of its own (<see cref="WebAppProcess"/>) on a database of its own, with an owner's API token,
/// a seeded experiment and its credential, and Core's services in process on the same database to look at what was written.
/// Hostile input goes to the process: if a limit regresses, the process dies or its peak working set shows it, not the test host.
/// </summary>
public sealed class HostileWebFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private ProviderSimulator? _simulator;
    private IHost? _host;
    private WebAppProcess? _web;

    public TestDatabase Database => _database ?? throw NotStarted();

    public IServiceProvider Services => (_host ?? throw NotStarted()).Services;

    public WebAppProcess Web => _web ?? throw NotStarted();

    public string Token { get; private set; } = "";

    public Guid ProjectId { get; private set; }

    public Guid ExperimentId { get; private set; }

    public Guid CredentialId { get; private set; }

    public Actor Owner { get; private set; } = new(Guid.Empty);

    /// <summary>The web process's peak working set right after it answered its first requests, in bytes.</summary>
    public long BaselinePeakBytes { get; private set; }

    public static string WebDllPath => typeof(HostileWebFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "EdisonWebPath")?.Value ?? throw new InvalidOperationException("Built without the EdisonWebPath metadata.");

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        _database = await TestDatabase.CreateAsync(cts.Token);
        _simulator = await ProviderSimulator.StartAsync(cts.Token);
        var prefix = TestEnvironment.NewRedisPrefix();
        var redis = TestEnvironment.RedisConnectionStringWithPrefix(prefix);
        var builder = EdisonTestHost.CreateBuilder(_database.ConnectionString, redis);
        builder.Services.AddSingleton<IJobScheduler>(new RecordingJobScheduler());
        builder.AddEdisonApiCore();
        builder.AddEdisonBundles();
        _host = builder.Build();
        await _host.StartAsync(cts.Token);

        var tenant = _simulator.CreateTenant().Otherwise(SimulatedExperiment.Respond);
        ExperimentId = await SimulatedExperiment.CreateAsync(Services, SimulatedExperiment.Draft(_simulator, tenant, 3), cts.Token);
        (ProjectId, CredentialId) = await SimulatedExperiment.CredentialAsync(Database.DataSource, ExperimentId, cts.Token);
        Owner = await TestActors.OwnerAsync(Services, cts.Token);
        (_, Token) = await Services.GetRequiredService<ApiTokenService>().CreateAsync(Owner, ProjectId, "hostile", ProjectRole.Owner, cts.Token);
        // First-run setup is not what these tests are about: the owner finishes it in process (the web app then serves the API).
        Assert.NotNull(await Services.GetRequiredService<AccountService>().CompleteSetupAsync(Owner.UserId, false, cts.Token));

        _web = WebAppProcess.Start(WebDllPath, _database.ConnectionString, redis, new Dictionary<string, string>
        {
            ["Edison__Redis__KeyPrefix"] = prefix,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Edison"] = "Information",
        });
        await _web.WaitHealthyAsync(cts.Token);
        using var http = CreateClient();
        using var warm = await http.GetAsync(new Uri("api/v1/experiments", UriKind.Relative), cts.Token);
        BaselinePeakBytes = _web.PeakWorkingSetBytes;
    }

    /// <summary>A client of the web process, authenticated as the project's owner by API token.</summary>
    public HttpClient CreateClient()
    {
        var http = new HttpClient { BaseAddress = Web.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    /// <summary>An export of the seeded experiment, as a person's bundle would look.</summary>
    public async Task<byte[]> ExportAsync(CancellationToken cancellationToken)
    {
        using var zip = new MemoryStream();
        Assert.True(await Services.GetRequiredService<BundleService>().ExportAsync(ExperimentId, zip, cancellationToken));
        return zip.ToArray();
    }

    public async Task DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }

        await EdisonTestHost.StopAndDisposeAsync(_host);
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
