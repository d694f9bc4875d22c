using System.Text.Json;
using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Prompts;
using Edison.Core.Refining;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.ReadModels;

/// <summary>
/// An experiment's prompt versions for the versions page: the history, a diff between any two, restoring an old version as
/// the newest, and moving the production label. Versions are never edited in place.
/// </summary>
public sealed class PromptVersionHistory
{
    /// <summary>The label of the version to ship.</summary>
    public const string ProductionLabel = PromptVersionStore.ProductionLabel;

    private static readonly JsonSerializerOptions Json = LoopJson.Options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PromptVersionStore _versions;

    internal PromptVersionHistory(NpgsqlDataSource dataSource, PromptVersionStore versions)
    {
        _dataSource = dataSource;
        _versions = versions;
    }

    /// <summary>Every version of the experiment, newest first, and the experiment's name; null when it does not exist.</summary>
    public async Task<(string Name, Guid? RecommendedVersionId, IReadOnlyList<PromptVersionText> Versions)?> ListAsync(Guid experimentId,
        CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT name, recommended_version_id FROM experiments WHERE id = @experimentId;
            SELECT p.id, p.version, pp.version AS parent_version, p.template, p.system_text, p.few_shots::text AS few_shots, p.changelog, p.labels,
                   p.created_at
            FROM prompt_versions p LEFT JOIN prompt_versions pp ON pp.id = p.parent_id
            WHERE p.experiment_id = @experimentId ORDER BY p.version DESC;
            """, new { experimentId }, cancellationToken: cancellationToken));
        var e = await grid.ReadSingleOrDefaultAsync<(string Name, Guid? RecommendedVersionId)>();
        if (e == default)
        {
            return null;
        }

        return (e.Name, e.RecommendedVersionId, (await grid.ReadAsync<PromptVersionText>()).ToList());
    }

    /// <summary>The unified diff from one version to another, labelled v{from} and v{to}; empty when they read the same.</summary>
    public static string Diff(PromptVersionText from, PromptVersionText to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return PromptDiff.Unified(Fields(from), Fields(to), $"v{from.Version}", $"v{to.Version}");
    }

    /// <summary>The word-level changes of each field from one version to another, for the side-by-side view.</summary>
    public static IReadOnlyList<FieldWordDiff> WordDiff(PromptVersionText from, PromptVersionText to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return PromptDiff.Words(Fields(from), Fields(to));
    }

    /// <summary>Copies a version as the experiment's newest version (its parent is the copied version); returns the new number.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<int?> RestoreAsync(Actor actor, Guid experimentId, Guid versionId, CancellationToken cancellationToken) =>
        _versions.RestoreAsync(actor, experimentId, versionId, cancellationToken);

    /// <summary>Moves the production label to one version of the experiment; false when the version is not the experiment's.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<bool> SetProductionAsync(Actor actor, Guid experimentId, Guid versionId, CancellationToken cancellationToken) =>
        _versions.SetLabelAsync(actor, experimentId, versionId, ProductionLabel, cancellationToken);

    private static PromptFields Fields(PromptVersionText v) =>
        new(v.SystemText, v.Template, JsonSerializer.Deserialize<List<FewShotExample>>(v.FewShots, Json) ?? []);
}
