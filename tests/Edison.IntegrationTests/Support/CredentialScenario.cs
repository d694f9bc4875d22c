using Dapper;
using Edison.Core.Llm;
using Edison.Core.Persistence;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Edison.IntegrationTests.Support;

/// <summary>Projects and simulator credentials for the credential tests, and the database reads they assert on.</summary>
internal static class CredentialScenario
{
    public static async Task<Guid> ProjectAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var id = Ids.New();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO projects (id, name) VALUES (@id, @name)",
            new { id, name = $"Credentials {id:N}" }, cancellationToken: cancellationToken));
        return id;
    }

    public static CredentialDraft Draft(ProviderSimulator simulator, SimTenant tenant, string name = "Simulator") =>
        new(name, ProviderKinds.OpenAICompatible, simulator.OpenAIBaseUrl.ToString(), tenant.ApiKey);

    /// <summary>Creates the credential as the project's shared test owner.</summary>
    public static async Task<Guid> CreateAsync(IServiceProvider services, Guid projectId, CredentialDraft draft, CancellationToken cancellationToken)
    {
        var owner = await TestActors.OwnerOfAsync(services, projectId, cancellationToken);
        var change = await services.GetRequiredService<CredentialService>().CreateAsync(owner, projectId, draft, cancellationToken);
        Assert.True(change.Succeeded, change.Error);
        return change.Id!.Value;
    }

    /// <summary>Every (table.column, row count) of the public schema whose text, varchar, json, xml or array value contains <paramref name="needle"/>.</summary>
    public static async Task<List<string>> RowsContainingAsync(NpgsqlDataSource dataSource, string needle, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var columns = (await connection.QueryAsync<(string Table, string Column)>(new CommandDefinition("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'xml', 'ARRAY')
            """, cancellationToken: cancellationToken))).ToList();
        Assert.True(columns.Count > 20, $"Only {columns.Count} text columns found: the scan would prove nothing.");
        var hits = new List<string>();
        foreach (var (table, column) in columns)
        {
            // Names come from the catalogue, quoted as identifiers; the needle is a parameter.
            var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT count(*) FROM \"{table}\" WHERE strpos(\"{column}\"::text, @needle) > 0",
                new { needle }, cancellationToken: cancellationToken));
            if (count > 0)
            {
                hits.Add($"{table}.{column} ({count})");
            }
        }

        return hits;
    }
}
