using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Llm;

/// <summary>A GGUF model file in Edison's model folder and its size on disk.</summary>
public sealed record LocalModelFile(string Name, string Path, long Bytes);

/// <summary>Whether a project can call a model yet: a provider credential of its own, or a local model file on disk.</summary>
public sealed record ProviderSetup(bool HasCredential, string ModelsDirectory, IReadOnlyList<LocalModelFile> LocalModels)
{
    /// <summary>True when neither exists, so a new user has to choose before an experiment can run.</summary>
    public bool NeedsProvider => !HasCredential && LocalModels.Count == 0;
}

/// <summary>Answers the first-run question for the experiments pages: is any model reachable for this project?</summary>
public sealed class ProviderReadiness
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IOptions<LlmOptions> _options;

    internal ProviderReadiness(NpgsqlDataSource dataSource, IOptions<LlmOptions> options)
    {
        _dataSource = dataSource;
        _options = options;
    }

    /// <summary>The project's credentials (any kind, local models included) and the .gguf files in the model folder.</summary>
    public async Task<ProviderSetup> GetAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var hasCredential = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM provider_credentials WHERE project_id = @projectId)", new { projectId }, cancellationToken: cancellationToken));
        var folder = _options.Value.ModelsDirectory;
        var files = Directory.Exists(folder)
            ? new DirectoryInfo(folder).EnumerateFiles("*.gguf").OrderBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => new LocalModelFile(f.Name, f.FullName, f.Length)).ToList()
            : [];
        return new ProviderSetup(hasCredential, folder, files);
    }
}
