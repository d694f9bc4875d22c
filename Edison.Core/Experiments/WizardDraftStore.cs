using Dapper;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Experiments;

/// <summary>
/// One unfinished experiment per person and project, kept as the wizard's own JSON so a reload or Back/Next loses nothing.
/// </summary>
public sealed class WizardDraftStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal WizardDraftStore(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>The stored draft and the step it was left on, or null when the person has none.</summary>
    public async Task<(string Json, int Step)?> GetAsync(Guid projectId, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Data, int Step)?>(new CommandDefinition(
            "SELECT data::text, step FROM experiment_drafts WHERE project_id = @projectId AND user_id = @userId",
            new { projectId, userId }, cancellationToken: cancellationToken));
        return row is { } r ? (r.Data, r.Step) : null;
    }

    /// <summary>Replaces the acting person's draft. A draft is private scratch work, so it is not audited; the experiment it
    /// becomes is.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task SaveAsync(Actor actor, Guid projectId, int step, string json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Editor, cancellationToken);
        var userId = actor.UserId;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO experiment_drafts (project_id, user_id, step, data) VALUES (@projectId, @userId, @step, @json::jsonb)
            ON CONFLICT (project_id, user_id) DO UPDATE SET step = excluded.step, data = excluded.data, updated_at = now()
            """, new { projectId, userId, step, json }, cancellationToken: cancellationToken));
    }

    /// <summary>Forgets the acting person's draft (after the experiment is created, or when they start over).</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task DeleteAsync(Actor actor, Guid projectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Editor, cancellationToken);
        var userId = actor.UserId;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM experiment_drafts WHERE project_id = @projectId AND user_id = @userId",
            new { projectId, userId }, cancellationToken: cancellationToken));
    }
}
