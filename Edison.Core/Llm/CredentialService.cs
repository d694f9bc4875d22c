using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Core.Llm.Local;
using Edison.Core.Llm.Providers;
using Edison.Core.Llm.Providers.Bedrock;
using Edison.Core.Llm.Providers.Vertex;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edison.Core.Llm;

/// <summary>
/// A project's provider credentials: listed without their keys, created, tested with one tiny real call, rotated,
/// disabled, enabled and deleted. Every change writes an audit_log row that holds no secret.
/// </summary>
public sealed partial class CredentialService
{
    // A service-account JSON key (about 2.3 KB) is longer than any API key.
    private const int MaxJsonKeyLength = 16384;

    private const string TestPurpose = "test-connection";
    private const int MaxNameLength = 100;
    private const int MinKeyLength = 8;
    private const int MaxKeyLength = 4096;
    private const string EntityType = "provider_credential";
    private const string NotFound = "The credential does not exist in this project.";
    private const string SummaryColumns =
        "id, project_id, name, provider, base_url, key_last4, is_disabled, created_at, rotated_at, last_tested_at, last_test_error";

    // Providers whose servers are found only through the credential's base URL.
    private static readonly HashSet<string> NeedBaseUrl = new(StringComparer.Ordinal)
    {
        ProviderKinds.OpenAICompatible, ProviderKinds.AzureOpenAI, ProviderKinds.Ollama,
    };

    // Providers that run without an API key (a local Ollama, an in-process model).
    private static readonly HashSet<string> KeyOptional = new(StringComparer.Ordinal) { ProviderKinds.Ollama, "local" };

    // Cheap models to test with when the caller names none and no config of the credential does.
    private static readonly Dictionary<string, string> TestModels = new(StringComparer.Ordinal)
    {
        [ProviderKinds.OpenAI] = "gpt-4o-mini",
        [ProviderKinds.Anthropic] = "claude-3-5-haiku-latest",
        [ProviderKinds.Gemini] = "gemini-2.0-flash",
        [ProviderKinds.Bedrock] = "anthropic.claude-3-5-haiku-20241022-v1:0",
        [ProviderKinds.Vertex] = "google/gemini-2.0-flash-001",
    };

    private readonly NpgsqlDataSource _dataSource;
    private readonly CredentialProtector _protector;
    private readonly LlmGateway _gateway;
    private readonly HashSet<string> _providers;
    private readonly ILogger<CredentialService> _logger;
    private readonly ProjectAccess _access;

    internal CredentialService(NpgsqlDataSource dataSource, CredentialProtector protector, LlmGateway gateway,
        IEnumerable<IProviderAdapter> adapters, ILogger<CredentialService> logger, ProjectAccess access)
    {
        _access = access;
        _dataSource = dataSource;
        _protector = protector;
        _gateway = gateway;
        _providers = adapters.Select(a => a.Provider).ToHashSet(StringComparer.Ordinal);
        _logger = logger;
    }

    /// <summary>The provider kinds a credential can be created for: those with an adapter.</summary>
    public IReadOnlyCollection<string> Providers => _providers;

    internal static CredentialService Create(IServiceProvider services) => new(services.GetRequiredService<NpgsqlDataSource>(),
        services.GetRequiredService<CredentialProtector>(), services.GetRequiredService<LlmGateway>(),
        services.GetServices<IProviderAdapter>(), services.GetRequiredService<ILogger<CredentialService>>(),
        services.GetRequiredService<ProjectAccess>());

    /// <summary>The project's credentials by name, without their keys.</summary>
    public async Task<IReadOnlyList<CredentialSummary>> ListAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CredentialSummary>(new CommandDefinition($"""
            SELECT {SummaryColumns} FROM provider_credentials WHERE project_id = @projectId ORDER BY name
            """, new { projectId }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>One credential of the project without its key, or null.</summary>
    public async Task<CredentialSummary?> GetAsync(Guid projectId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await SummaryAsync(connection, null, projectId, id, cancellationToken);
    }

    /// <summary>Validates and stores a new credential with its key encrypted; refuses with a sentence when invalid.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<CredentialChange> CreateAsync(Actor actor, Guid projectId, CredentialDraft draft, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        ArgumentNullException.ThrowIfNull(draft);
        var name = draft.Name?.Trim() ?? "";
        var provider = draft.Provider?.Trim() ?? "";
        var apiKey = draft.ApiKey ?? "";
        var urlError = ValidateBaseUrl(provider, draft.BaseUrl, out var baseUrl);
        var settings = draft.Settings ?? new Dictionary<string, string>();
        var error = ValidateName(name) ?? ValidateProvider(provider) ?? urlError ?? ValidateKey(provider, apiKey)
            ?? ValidateSettings(provider, settings, apiKey);
        if (error is not null)
        {
            return CredentialChange.Refused(error);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await NameTakenAsync(connection, transaction, projectId, name, cancellationToken))
        {
            return CredentialChange.Refused(NameTaken(name));
        }

        var id = Ids.New();
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO provider_credentials (id, project_id, name, provider, base_url, api_key_encrypted, key_last4, settings)
                VALUES (@id, @projectId, @name, @provider, @baseUrl, @encrypted, @last4, CAST(@settings AS jsonb))
                """,
                new
                {
                    id, projectId, name, provider, baseUrl = baseUrl?.ToString(),
                    encrypted = apiKey.Length == 0 ? null : _protector.Protect(apiKey),
                    last4 = KeyLast4(provider, apiKey), settings = JsonSerializer.Serialize(settings),
                },
                transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another request created the same name between the check and the insert.
            return CredentialChange.Refused(NameTaken(name));
        }

        var after = await SnapshotAsync(connection, transaction, projectId, id, cancellationToken);
        await AuditAsync(connection, transaction, actor, projectId, "credential.create", id, null, after, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogCreated(id, provider);
        return CredentialChange.Done(id);
    }

    /// <summary>Replaces the key: the new one is encrypted, the old one is gone and rotated_at is set.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<CredentialChange> RotateAsync(Actor actor, Guid projectId, Guid id, string newApiKey, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await SnapshotAsync(connection, transaction, projectId, id, cancellationToken);
        if (before is null)
        {
            return CredentialChange.Refused(NotFound);
        }

        if (ValidateKey(before.Provider, newApiKey ?? "") is { } error)
        {
            return CredentialChange.Refused(error);
        }

        var key = newApiKey ?? "";
        // A rotation invalidates the last test: it said something about the old key.
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE provider_credentials
            SET api_key_encrypted = @encrypted, key_last4 = @last4, rotated_at = now(), last_tested_at = NULL, last_test_error = NULL
            WHERE id = @id AND project_id = @projectId
            """,
            new
            {
                id, projectId, encrypted = key.Length == 0 ? null : _protector.Protect(key),
                last4 = KeyLast4(before.Provider, key),
            },
            transaction, cancellationToken: cancellationToken));
        var after = await SnapshotAsync(connection, transaction, projectId, id, cancellationToken);
        await AuditAsync(connection, transaction, actor, projectId, "credential.rotate", id, before, after, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogRotated(id);
        return CredentialChange.Done(id);
    }

    /// <summary>Disables the credential: the gateway then fails its calls as CredentialDisabled without calling the provider.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public Task<CredentialChange> DisableAsync(Actor actor, Guid projectId, Guid id, CancellationToken cancellationToken) =>
        SetDisabledAsync(actor, projectId, id, true, cancellationToken);

    /// <summary>Enables a disabled credential again.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public Task<CredentialChange> EnableAsync(Actor actor, Guid projectId, Guid id, CancellationToken cancellationToken) =>
        SetDisabledAsync(actor, projectId, id, false, cancellationToken);

    /// <summary>Deletes the credential, or refuses, naming the experiment, while a model or judge config still uses it.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<CredentialChange> DeleteAsync(Actor actor, Guid projectId, Guid id, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The row lock makes a config added concurrently wait for the delete, or the delete see the config.
        var before = await SnapshotAsync(connection, transaction, projectId, id, cancellationToken, forUpdate: true);
        if (before is null)
        {
            return CredentialChange.Refused(NotFound);
        }

        var users = (await connection.QueryAsync<(string Experiment, string Kind, string Model)>(new CommandDefinition("""
            SELECT e.name, 'model', mc.model FROM model_configs mc JOIN experiments e ON e.id = mc.experiment_id WHERE mc.credential_id = @id
            UNION ALL
            SELECT e.name, 'judge', jc.model FROM judge_configs jc JOIN experiments e ON e.id = jc.experiment_id WHERE jc.credential_id = @id
            ORDER BY 1, 2
            """, new { id }, transaction, cancellationToken: cancellationToken))).ToList();
        if (users.Count > 0)
        {
            var uses = string.Join("; ", users.Select(u => $"the {u.Kind} config {u.Model} of experiment '{u.Experiment}'"));
            return CredentialChange.Refused(
                $"The credential '{before.Name}' is still in use by {uses}. Point those configs at another credential, or disable this one instead.");
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM provider_credentials WHERE id = @id AND project_id = @projectId",
                new { id, projectId }, transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // A reference the check above cannot see (a table added later) refuses in words, not with an exception.
            return CredentialChange.Refused($"The credential '{before.Name}' is still referenced ({ex.TableName}); it was not deleted.");
        }

        await AuditAsync(connection, transaction, actor, projectId, "credential.delete", id, before, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogDeleted(id);
        return CredentialChange.Done(id);
    }

    /// <summary>
    /// Makes one tiny real call ("Reply with OK.", at most 5 output tokens, no cache) through the gateway and stores when it ran
    /// and the error in words. <paramref name="model"/> defaults to a model a config of this credential uses, else the provider's
    /// cheapest common model.
    /// </summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<ConnectionTestResult> TestConnectionAsync(Actor actor, Guid projectId, Guid id, string? model, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var credential = await SummaryAsync(connection, null, projectId, id, cancellationToken);
        if (credential is null)
        {
            return new ConnectionTestResult(false, 0, model ?? "", null, NotFound);
        }

        model = string.IsNullOrWhiteSpace(model) ? await TestModelAsync(connection, credential, cancellationToken) : model.Trim();
        if (model is null)
        {
            return new ConnectionTestResult(false, 0, "", null, "Name a model to test the connection with: this provider has no default.");
        }

        await connection.CloseAsync();
        var spec = new LlmCallSpec(projectId, id, model, TestPurpose) { BypassCache = true };
        var result = await _gateway.CompleteAsync(spec, [new ChatMessage(ChatRole.User, "Reply with OK.")],
            new ChatOptions { MaxOutputTokens = 5 }, cancellationToken);
        await using (var update = await _dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await update.BeginTransactionAsync(cancellationToken))
        {
            await update.ExecuteAsync(new CommandDefinition(
                "UPDATE provider_credentials SET last_tested_at = now(), last_test_error = @error WHERE id = @id AND project_id = @projectId",
                new { id, projectId, error = result.Succeeded ? null : result.Error }, transaction, cancellationToken: cancellationToken));
            await AuditLog.WriteAsync(update, transaction, actor, projectId, "credential.test", EntityType, id, null,
                new { credential.Name, model, result.Succeeded, errorClass = result.Succeeded ? null : result.ErrorClass?.ToString() }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        LogTested(id, result.Succeeded, result.ErrorClass);
        return new ConnectionTestResult(result.Succeeded, result.LatencyMs, model, result.Succeeded ? result.Text : null,
            result.Succeeded ? null : result.Error);
    }

    private async Task<CredentialChange> SetDisabledAsync(Actor actor, Guid projectId, Guid id, bool disabled, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await SnapshotAsync(connection, transaction, projectId, id, cancellationToken);
        if (before is null)
        {
            return CredentialChange.Refused(NotFound);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE provider_credentials SET is_disabled = @disabled WHERE id = @id AND project_id = @projectId",
            new { id, projectId, disabled }, transaction, cancellationToken: cancellationToken));
        var after = await SnapshotAsync(connection, transaction, projectId, id, cancellationToken);
        await AuditAsync(connection, transaction, actor, projectId, disabled ? "credential.disable" : "credential.enable", id, before, after,
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogDisabledChanged(id, disabled);
        return CredentialChange.Done(id);
    }

    private static async Task<CredentialSummary?> SummaryAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid projectId,
        Guid id, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<CredentialSummary>(new CommandDefinition(
            $"SELECT {SummaryColumns} FROM provider_credentials WHERE id = @id AND project_id = @projectId",
            new { id, projectId }, transaction, cancellationToken: cancellationToken));

    private static async Task<CredentialAuditSnapshot?> SnapshotAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        Guid projectId, Guid id, CancellationToken cancellationToken, bool forUpdate = false) =>
        await connection.QuerySingleOrDefaultAsync<CredentialAuditSnapshot>(new CommandDefinition($"""
            SELECT name, provider, base_url, key_last4, is_disabled, rotated_at FROM provider_credentials
            WHERE id = @id AND project_id = @projectId {(forUpdate ? "FOR UPDATE" : "")}
            """, new { id, projectId }, transaction, cancellationToken: cancellationToken));

    // The snapshot holds the name, provider, base URL and key's last four characters: never the key.
    private static Task AuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Actor actor, Guid projectId, string action, Guid id,
        CredentialAuditSnapshot? before, CredentialAuditSnapshot? after, CancellationToken cancellationToken) =>
        AuditLog.WriteAsync(connection, transaction, actor, projectId, action, EntityType, id, before, after, cancellationToken);

    private static async Task<bool> NameTakenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid projectId, string name,
        CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM provider_credentials WHERE project_id = @projectId AND lower(name) = lower(@name))",
            new { projectId, name }, transaction, cancellationToken: cancellationToken));

    private static async Task<string?> TestModelAsync(NpgsqlConnection connection, CredentialSummary credential, CancellationToken cancellationToken)
    {
        var configured = await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT model FROM (
                SELECT model, created_at, 0 AS rank FROM model_configs WHERE credential_id = @id
                UNION ALL
                SELECT model, created_at, 1 FROM judge_configs WHERE credential_id = @id AND model IS NOT NULL) m
            ORDER BY rank, created_at DESC LIMIT 1
            """, new { id = credential.Id }, cancellationToken: cancellationToken));
        return configured ?? TestModels.GetValueOrDefault(credential.Provider);
    }

    private static string NameTaken(string name) => $"This project already has a credential named '{name}'. Choose another name.";

    private static string? ValidateName(string name) => name.Length switch
    {
        0 => "Give the credential a name.",
        > MaxNameLength => $"The name is longer than {MaxNameLength} characters.",
        _ => null,
    };

    private string? ValidateProvider(string provider) => _providers.Contains(provider)
        ? null
        : $"Unknown provider '{provider}'. Choose one of: {string.Join(", ", _providers.Order(StringComparer.Ordinal))}.";

    private static string? ValidateBaseUrl(string provider, string? text, out Uri? baseUrl)
    {
        baseUrl = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return NeedBaseUrl.Contains(provider) ? $"A {provider} credential needs a base URL." : null;
        }

        // A local model's "address" is its GGUF file on the worker's disk.
        if (provider == LocalModelAdapter.Provider)
        {
            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var file) || !file.IsFile
                || !file.LocalPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            {
                return "A local model is a .gguf file: give its absolute path, e.g. /models/stories260K.gguf.";
            }

            baseUrl = file;
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "The base URL must be an absolute http:// or https:// address, e.g. https://api.example.com/v1.";
        }

        // A user:password in the URL would be stored and shown in clear.
        if (uri.UserInfo.Length > 0)
        {
            return "Put no user name or password in the base URL: the key goes in the API key field.";
        }

        // Loopback and private addresses are fine (a self-hosted Ollama, vLLM or LM Studio); metadata and link-local are not.
        if (OutboundPolicy.Refusal(uri, allowPrivate: true) is { } refused)
        {
            return $"The base URL cannot be used: {refused}";
        }

        baseUrl = uri;
        return null;
    }

    private static string? ValidateKey(string provider, string apiKey)
    {
        if (apiKey.Length == 0)
        {
            return KeyOptional.Contains(provider) ? null : "Enter the API key.";
        }

        if (provider == ProviderKinds.Vertex)
        {
            // A JSON key spans lines and holds spaces, so the API-key checks below do not apply.
            return apiKey.Length > MaxJsonKeyLength
                ? $"The JSON key is longer than {MaxJsonKeyLength} characters."
                : ServiceAccountKey.Parse(apiKey, out var problem) is null ? problem : null;
        }

        if (apiKey.Length is < MinKeyLength or > MaxKeyLength)
        {
            return $"The API key must be {MinKeyLength} to {MaxKeyLength} characters long.";
        }

        if (apiKey.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "The API key contains spaces or line breaks; paste it again without them.";
        }

        return provider == ProviderKinds.Bedrock ? AwsKeys.Problem(apiKey) : null;
    }

    private static string? ValidateSettings(string provider, IReadOnlyDictionary<string, string> settings, string apiKey)
    {
        switch (provider)
        {
            case ProviderKinds.Bedrock:
                var region = settings.GetValueOrDefault(BedrockAdapter.RegionSetting);
                return string.IsNullOrWhiteSpace(region)
                    ? "A Bedrock credential needs its AWS region in the settings, e.g. {\"region\": \"us-east-1\"}."
                    : AwsRegion().IsMatch(region) ? null : $"'{region}' is not an AWS region name such as us-east-1 or eu-west-3.";
            case ProviderKinds.Vertex:
                var location = settings.GetValueOrDefault(VertexAdapter.LocationSetting);
                if (location is not null && !GoogleLocation().IsMatch(location))
                {
                    return $"'{location}' is not a Google Cloud location such as us-central1, europe-west4 or global.";
                }

                var project = settings.GetValueOrDefault(VertexAdapter.ProjectSetting);
                if (project is not null && !GoogleProject().IsMatch(project))
                {
                    return $"'{project}' is not a Google Cloud project id (6–30 lower-case letters, digits and hyphens).";
                }

                return string.IsNullOrEmpty(project) && ServiceAccountKey.Parse(apiKey, out _)?.ProjectId is null
                    ? "Name the Google Cloud project in the settings ({\"project\": \"my-project\"}): the JSON key has no project_id."
                    : null;
            default:
                return settings.Count == 0 ? null : $"A {provider} credential takes no settings.";
        }
    }

    // What a person can recognise without the secret: the access key id's end for AWS, the key id's end for a JSON key.
    private static string KeyLast4(string provider, string apiKey) => apiKey.Length == 0 ? "" : provider switch
    {
        ProviderKinds.Bedrock when AwsKeys.Parse(apiKey) is { } keys => CredentialProtector.LastFour(keys.AccessKeyId),
        ProviderKinds.Vertex when ServiceAccountKey.Parse(apiKey, out _) is { } key => CredentialProtector.LastFour(key.PrivateKeyId ?? key.ClientEmail),
        _ => CredentialProtector.LastFour(apiKey),
    };

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex AwsRegion();

    [GeneratedRegex("^(global|[a-z]+-[a-z]+[0-9]+)$")]
    private static partial Regex GoogleLocation();

    [GeneratedRegex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex GoogleProject();

    [LoggerMessage(Level = LogLevel.Information, Message = "Created {Provider} credential {CredentialId}")]
    private partial void LogCreated(Guid credentialId, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the key of credential {CredentialId}")]
    private partial void LogRotated(Guid credentialId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Credential {CredentialId} disabled: {Disabled}")]
    private partial void LogDisabledChanged(Guid credentialId, bool disabled);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted credential {CredentialId}")]
    private partial void LogDeleted(Guid credentialId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tested credential {CredentialId}: ok {Ok} ({ErrorClass})")]
    private partial void LogTested(Guid credentialId, bool ok, LlmErrorClass? errorClass);
}
