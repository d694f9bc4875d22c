using Dapper;
using Edison.Core.Datasets;
using Edison.Core.Jobs;
using Edison.Core.Llm;
using Edison.Core.Persistence;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edison.IntegrationTests.Datasets;

/// <summary>
/// Core plus the test data studio (<c>AddDatasets()</c>) in-process on a database of its own, with the provider simulator;
/// jobs are recorded, not run.
/// </summary>
public sealed class StudioFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private ProviderSimulator? _simulator;
    private IHost? _host;

    public TestDatabase Database => _database ?? throw NotStarted();

    public ProviderSimulator Simulator => _simulator ?? throw NotStarted();

    public IServiceProvider Services => (_host ?? throw NotStarted()).Services;

    public RecordingJobScheduler Jobs { get; } = new();

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _database = await TestDatabase.CreateAsync(cts.Token);
        _simulator = await ProviderSimulator.StartAsync(cts.Token);
        var prefix = TestEnvironment.NewRedisPrefix();
        var builder = EdisonTestHost.CreateBuilder(Database.ConnectionString, TestEnvironment.RedisConnectionStringWithPrefix(prefix),
            new Dictionary<string, string?>
            {
                ["Edison:Llm:BaseDelay"] = "00:00:00.050",
                ["Edison:Llm:MaxAttempts"] = "3",
                ["Edison:Redis:KeyPrefix"] = prefix,
            });
        builder.Services.AddSingleton<IJobScheduler>(Jobs);
        builder.AddDatasets();
        _host = builder.Build();
        await _host.StartAsync(cts.Token);
    }

    /// <summary>A fresh project, so each test counts only its own rows.</summary>
    public async Task<Guid> ProjectAsync(CancellationToken cancellationToken)
    {
        var id = Ids.New();
        await using var connection = await Database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO projects (id, name) VALUES (@id, @name)",
            new { id, name = $"Studio {id:N}" }, cancellationToken: cancellationToken));
        return id;
    }

    /// <summary>A simulator credential of the project for <paramref name="tenant"/>.</summary>
    public async Task<Guid> CredentialAsync(Guid projectId, SimTenant tenant, CancellationToken cancellationToken)
    {
        var change = await Services.GetRequiredService<CredentialService>().CreateAsync(await TestActors.OwnerOfAsync(Services, projectId, cancellationToken),
            projectId,
            new CredentialDraft("Simulator", ProviderKinds.OpenAICompatible, Simulator.OpenAIBaseUrl.ToString(), tenant.ApiKey), cancellationToken);
        Assert.True(change.Succeeded, change.Error);
        return change.Id!.Value;
    }

    /// <summary>(datasets, cases, dataset versions) of the project: what "nothing changed" is checked against.</summary>
    public async Task<(long Datasets, long Cases, long Versions)> CountsAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long, long)>(new CommandDefinition("""
            SELECT (SELECT count(*) FROM datasets WHERE project_id = @projectId),
                   (SELECT count(*) FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE d.project_id = @projectId),
                   (SELECT count(*) FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.project_id = @projectId)
            """, new { projectId }, cancellationToken: cancellationToken));
    }

    public async Task DisposeAsync()
    {
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
