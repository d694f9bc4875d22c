using Dapper;
using Npgsql;

namespace Edison.Core.Security;

/// <summary>
/// The one place that answers "may this user do that in this project": the role a user holds, the project a resource belongs to,
/// and a check that throws <see cref="ProjectAccessDeniedException"/>.
/// </summary>
public sealed class ProjectAccess
{
    private static readonly Dictionary<string, string> ProjectOfSql = new(StringComparer.Ordinal)
    {
        [ResourceKinds.Project] = "SELECT id FROM projects WHERE id = @id",
        [ResourceKinds.Experiment] = "SELECT project_id FROM experiments WHERE id = @id",
        [ResourceKinds.Iteration] = "SELECT e.project_id FROM iterations i JOIN experiments e ON e.id = i.experiment_id WHERE i.id = @id",
        [ResourceKinds.Suggestion] = """
            SELECT e.project_id FROM suggestions s JOIN iterations i ON i.id = s.iteration_id JOIN experiments e ON e.id = i.experiment_id
            WHERE s.id = @id
            """,
        [ResourceKinds.Output] = """
            SELECT e.project_id FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id JOIN iterations i ON i.id = mr.iteration_id
            JOIN experiments e ON e.id = i.experiment_id WHERE o.id = @id
            """,
        [ResourceKinds.ModelRun] = """
            SELECT e.project_id FROM model_runs mr JOIN iterations i ON i.id = mr.iteration_id JOIN experiments e ON e.id = i.experiment_id
            WHERE mr.id = @id
            """,
        [ResourceKinds.PromptVersion] = "SELECT e.project_id FROM prompt_versions p JOIN experiments e ON e.id = p.experiment_id WHERE p.id = @id",
        [ResourceKinds.Dataset] = "SELECT project_id FROM datasets WHERE id = @id",
        [ResourceKinds.GenerationRun] = "SELECT project_id FROM generation_runs WHERE id = @id",
        [ResourceKinds.Credential] = "SELECT project_id FROM provider_credentials WHERE id = @id",
    };

    private readonly NpgsqlDataSource _dataSource;

    internal ProjectAccess(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The kinds <see cref="ProjectOfAsync"/> knows.</summary>
    public static IReadOnlyCollection<string> KnownKinds => ProjectOfSql.Keys;

    /// <summary>The project that owns a resource, or null when there is no such resource.</summary>
    public async Task<Guid?> ProjectOfAsync(string resourceKind, Guid id, CancellationToken cancellationToken = default)
    {
        if (!ProjectOfSql.TryGetValue(resourceKind, out var sql))
        {
            throw new ArgumentOutOfRangeException(nameof(resourceKind), resourceKind, "Unknown resource kind.");
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The user's role in the project, or null when the user is not a member.</summary>
    public async Task<ProjectRole?> RoleOfAsync(Guid userId, Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var text = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT role FROM project_members WHERE project_id = @projectId AND user_id = @userId",
            new { projectId, userId }, cancellationToken: cancellationToken));
        return ProjectRoles.Parse(text);
    }

    /// <summary>Throws unless the user holds at least <paramref name="least"/> in the project.</summary>
    public async Task EnsureRoleAsync(Guid userId, Guid projectId, ProjectRole least, CancellationToken cancellationToken)
    {
        var role = await RoleOfAsync(userId, projectId, cancellationToken);
        if (role is null)
        {
            throw new ProjectAccessDeniedException("Not a member of this project.") { NotAMember = true };
        }

        if (role < least)
        {
            throw new ProjectAccessDeniedException($"This needs the {least.ToText()} role; you are {role.Value.ToText()}.");
        }
    }

    /// <summary>Throws unless the actor holds at least <paramref name="least"/> in the project, counting an API token's ceiling.</summary>
    public async Task EnsureRoleAsync(Actor actor, Guid projectId, ProjectRole least, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.RoleCap is { } cap && cap < least)
        {
            throw new ProjectAccessDeniedException($"This token's role ({cap.ToText()}) is below {least.ToText()}.");
        }

        await EnsureRoleAsync(actor.UserId, projectId, least, cancellationToken);
    }

    /// <summary>Resolves the resource's project, then checks the role; a resource that does not exist is reported as not a member.</summary>
    public async Task<Guid> EnsureRoleOnAsync(Actor actor, string resourceKind, Guid id, ProjectRole least, CancellationToken cancellationToken)
    {
        var projectId = await ProjectOfAsync(resourceKind, id, cancellationToken)
            ?? throw new ProjectAccessDeniedException("No such resource.") { NotAMember = true };
        await EnsureRoleAsync(actor, projectId, least, cancellationToken);
        return projectId;
    }
}
