using System.Diagnostics;
using Dapper;
using Edison.Core.Llm;
using Edison.Core.Llm.Local;
using Edison.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Core's services on a database of their own with a <c>local</c> credential for the verified tiny model, its weights
/// loaded once (the load time is kept for the report).
/// </summary>
public sealed class LocalModelFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private IHost? _host;

    public string ModelPath { get; private set; } = "";

    public TimeSpan LoadTime { get; private set; }

    public Guid ProjectId { get; private set; }

    public Guid CredentialId { get; private set; }

    public TestDatabase Database => _database ?? throw NotStarted();

    public IServiceProvider Services => (_host ?? throw NotStarted()).Services;

    internal LocalModelCache Cache => Services.GetRequiredService<LocalModelCache>();

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        ModelPath = await TinyModel.VerifiedPathAsync(cts.Token);
        _database = await TestDatabase.CreateAsync(cts.Token);
        var builder = EdisonTestHost.CreateBuilder(_database.ConnectionString,
            TestEnvironment.RedisConnectionStringWithPrefix(TestEnvironment.NewRedisPrefix()));
        _host = builder.Build();
        await _host.StartAsync(cts.Token);

        var stopwatch = Stopwatch.StartNew();
        await Cache.GetAsync(ModelPath, cts.Token);
        LoadTime = stopwatch.Elapsed;

        ProjectId = Guid.NewGuid();
        await using var connection = await _database.DataSource.OpenConnectionAsync(cts.Token);
        await using var transaction = await connection.BeginTransactionAsync(cts.Token);
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO projects (id, name) VALUES (@ProjectId, 'local model')",
            new { ProjectId }, transaction, cancellationToken: cts.Token));
        CredentialId = await Services.GetRequiredService<CredentialStore>().CreateAsync(connection, transaction, ProjectId, "tiny local model",
            LocalModelAdapter.Provider, new Uri(ModelPath), "", cts.Token);
        await transaction.CommitAsync(cts.Token);
    }

    public async Task DisposeAsync()
    {
        await EdisonTestHost.StopAndDisposeAsync(_host);

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not been initialised.");
}
