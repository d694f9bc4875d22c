using System.Text.Json;
using Dapper;
using Edison.Core.Persistence;
using Npgsql;

namespace Edison.Core.Llm;

internal sealed class CredentialStore(NpgsqlDataSource dataSource, CredentialProtector protector)
{
    public Task<Guid> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId,
        string name, string provider, Uri? baseUrl, string apiKey, CancellationToken cancellationToken) =>
        CreateAsync(connection, transaction, projectId, name, provider, baseUrl, apiKey, null, cancellationToken);

    public Task<Guid> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId,
        string name, string provider, Uri? baseUrl, string apiKey, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken) =>
        CreateAsync(connection, transaction, projectId, name, provider, baseUrl, apiKey, headers, null, cancellationToken);

    public async Task<Guid> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId, string name, string provider,
        Uri? baseUrl, string apiKey, IReadOnlyDictionary<string, string>? headers, IReadOnlyDictionary<string, string>? settings,
        CancellationToken cancellationToken)
    {
        var id = Ids.New();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO provider_credentials (id, project_id, name, provider, base_url, api_key_encrypted, key_last4, headers, settings)
            VALUES (@id, @projectId, @name, @provider, @baseUrl, @encrypted, @last4, CAST(@headers AS jsonb), CAST(@settings AS jsonb))
            """,
            new
            {
                id, projectId, name, provider, baseUrl = baseUrl?.ToString(), encrypted = protector.Protect(apiKey), last4 = CredentialProtector.LastFour(apiKey),
                headers = JsonSerializer.Serialize(headers ?? new Dictionary<string, string>()),
                settings = JsonSerializer.Serialize(settings ?? new Dictionary<string, string>()),
            },
            transaction, cancellationToken: cancellationToken));
        return id;
    }

    public async Task<ProviderCredential> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CredentialRow>(new CommandDefinition(
            "SELECT id, project_id, provider, base_url, api_key_encrypted, is_disabled, headers::text AS headers, settings::text AS settings FROM provider_credentials WHERE id = @id",
            new { id }, cancellationToken: cancellationToken))
            ?? throw new InvalidOperationException($"Provider credential {id} does not exist.");
        if (row.IsDisabled)
        {
            throw new LlmCallException(LlmErrorClass.CredentialDisabled, "The provider credential is disabled.");
        }

        var key = row.ApiKeyEncrypted is null ? "" : protector.Unprotect(row.ApiKeyEncrypted);
        return new ProviderCredential(row.Id, row.ProjectId, row.Provider, row.BaseUrl is null ? null : new Uri(row.BaseUrl), key)
        {
            Headers = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Headers) ?? [],
            Settings = Strings(row.Settings),
        };
    }

    // Settings are written as strings by Edison, but a hand-edited row may hold numbers or booleans: keep their text.
    private static Dictionary<string, string> Strings(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind != JsonValueKind.Object
            ? []
            : document.RootElement.EnumerateObject().ToDictionary(p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText(), StringComparer.Ordinal);
    }

    private sealed record CredentialRow(Guid Id, Guid ProjectId, string Provider, string? BaseUrl, string? ApiKeyEncrypted, bool IsDisabled, string Headers,
        string Settings);

}
