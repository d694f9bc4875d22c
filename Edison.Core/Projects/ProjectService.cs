using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Edison.Core.Bundles;
using Edison.Core.Datasets.Import;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Projects;

/// <summary>
/// A project's own life: rename (admins), transfer ownership, delete with everything in it, and export as one zip (owners).
/// Each change checks the actor's role and writes its audit row in the same transaction.
/// </summary>
public sealed class ProjectService
{
    /// <summary>The format name in an export's <c>manifest.json</c>.</summary>
    public const string ExportFormat = "edison-project-export";

    /// <summary>The longest project name.</summary>
    public const int MaxNameLength = 100;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;
    private readonly BundleService _bundles;
    private readonly DatasetExporter _datasets;
    private readonly TimeProvider _time;

    internal ProjectService(NpgsqlDataSource dataSource, ProjectAccess access, BundleService bundles, DatasetExporter datasets, TimeProvider time)
    {
        _dataSource = dataSource;
        _access = access;
        _bundles = bundles;
        _datasets = datasets;
        _time = time;
    }

    /// <summary>The project's name and size, for anyone in it.</summary>
    [RequiresRole(ProjectRole.Viewer)]
    public async Task<ProjectSummary> GetAsync(Actor actor, Guid projectId, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Viewer, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(Guid Id, string Name, DateTime CreatedAt, int Experiments, int Datasets, int Members)>(
            new CommandDefinition("""
                SELECT p.id, p.name, p.created_at,
                       (SELECT count(*)::int FROM experiments WHERE project_id = p.id),
                       (SELECT count(*)::int FROM datasets WHERE project_id = p.id),
                       (SELECT count(*)::int FROM project_members WHERE project_id = p.id)
                FROM projects p WHERE p.id = @projectId
                """, new { projectId }, cancellationToken: cancellationToken));
        return new ProjectSummary(row.Id, row.Name, new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)), row.Experiments,
            row.Datasets, row.Members);
    }

    /// <summary>Renames the project (admins). Returns an error to show, or null.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<string?> RenameAsync(Actor actor, Guid projectId, string name, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
        {
            return $"Give the project a name of 1 to {MaxNameLength} characters.";
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT name FROM projects WHERE id = @projectId FOR UPDATE", new { projectId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("UPDATE projects SET name = @name WHERE id = @projectId", new { name, projectId },
            transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "project.renamed", "project", projectId, new { name = before },
            new { name }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Makes another member the owner and the acting owner an admin (owners only). Returns an error to show, or null.
    /// </summary>
    [RequiresRole(ProjectRole.Owner)]
    public async Task<string?> TransferOwnershipAsync(Actor actor, Guid projectId, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Checked after the project's membership lock, so a concurrent demotion of the acting owner is seen.
        await ProjectMembershipService.LockProjectAsync(connection, transaction, projectId, cancellationToken);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Owner, cancellationToken);
        if (userId == actor.UserId)
        {
            return "You already own this project: choose another member.";
        }

        var target = await connection.QuerySingleOrDefaultAsync<(string? Email, string? Role)>(new CommandDefinition("""
            SELECT u.email, m.role FROM project_members m JOIN users u ON u.id = m.user_id
            WHERE m.project_id = @projectId AND m.user_id = @userId FOR UPDATE OF m
            """, new { projectId, userId }, transaction, cancellationToken: cancellationToken));
        if (target.Email is null)
        {
            return "That person is not a member of this project: invite them first.";
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE project_members SET role = CASE WHEN user_id = @userId THEN 'owner' ELSE 'admin' END
            WHERE project_id = @projectId AND user_id IN (@userId, @actorId)
            """, new { projectId, userId, actorId = actor.UserId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "project.ownership-transferred", "user", userId,
            new { role = target.Role }, new { role = ProjectRole.Owner.ToText(), previousOwnerRole = ProjectRole.Admin.ToText() }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Deletes the project and all its data (owners only) once <paramref name="typedName"/> matches its name. Returns an error to
    /// show, or null when it is gone.
    /// </summary>
    [RequiresRole(ProjectRole.Owner)]
    public async Task<string?> DeleteAsync(Actor actor, Guid projectId, string typedName, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Owner, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var project = await connection.QuerySingleAsync<(string Name, int Experiments, int Datasets)>(new CommandDefinition("""
            SELECT p.name, (SELECT count(*)::int FROM experiments WHERE project_id = p.id), (SELECT count(*)::int FROM datasets WHERE project_id = p.id)
            FROM projects p WHERE p.id = @projectId FOR UPDATE
            """, new { projectId }, transaction, cancellationToken: cancellationToken));
        if (!string.Equals(typedName?.Trim(), project.Name, StringComparison.Ordinal))
        {
            return $"Type the project's name exactly (\"{project.Name}\") to delete it.";
        }

        // Children before parents: some references (iterations → prompt and dataset versions, model configs → credentials) do not
        // cascade, so runs go before experiments, experiments before datasets and credentials. audit_log has no foreign key.
        string[] steps =
        [
            "DELETE FROM llm_calls WHERE project_id = @projectId OR experiment_id IN (SELECT id FROM experiments WHERE project_id = @projectId)",
            "DELETE FROM iterations WHERE experiment_id IN (SELECT id FROM experiments WHERE project_id = @projectId)",
            "DELETE FROM experiments WHERE project_id = @projectId",
            "DELETE FROM generation_runs WHERE project_id = @projectId",
            "DELETE FROM datasets WHERE project_id = @projectId",
            "DELETE FROM budgets WHERE project_id = @projectId",
            "DELETE FROM provider_credentials WHERE project_id = @projectId",
            "DELETE FROM api_tokens WHERE project_id = @projectId",
            "DELETE FROM invitations WHERE project_id = @projectId",
            "DELETE FROM project_members WHERE project_id = @projectId",
            "DELETE FROM audit_log WHERE project_id = @projectId",
            "DELETE FROM projects WHERE id = @projectId",
        ];
        foreach (var sql in steps)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, new { projectId }, transaction, cancellationToken: cancellationToken));
        }

        // The project's own log went with it; the deletion itself is kept as an instance-level row.
        await AuditLog.WriteAsync(connection, transaction, actor, null, "project.deleted", "project", projectId,
            new { name = project.Name, experiments = project.Experiments, datasets = project.Datasets }, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Writes the whole project as a zip (owners only): <c>manifest.json</c>, one experiment bundle per experiment under
    /// <c>experiments/</c> and each dataset's current version as JSON Lines under <c>datasets/</c>.
    /// </summary>
    [RequiresRole(ProjectRole.Owner)]
    public async Task ExportAsync(Actor actor, Guid projectId, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Owner, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var name = await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT name FROM projects WHERE id = @projectId",
            new { projectId }, cancellationToken: cancellationToken));
        var experiments = (await connection.QueryAsync<(Guid Id, string Name)>(new CommandDefinition(
            "SELECT id, name FROM experiments WHERE project_id = @projectId ORDER BY created_at, id", new { projectId },
            cancellationToken: cancellationToken))).ToList();
        var datasets = (await connection.QueryAsync<(Guid Id, string Name, Guid? ExperimentId)>(new CommandDefinition(
            "SELECT id, name, experiment_id FROM datasets WHERE project_id = @projectId ORDER BY created_at, id", new { projectId },
            cancellationToken: cancellationToken))).ToList();

        using (var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true))
        {
            var manifest = new JsonObject
            {
                ["format"] = ExportFormat,
                ["version"] = 1,
                ["project"] = name,
                ["exportedAt"] = _time.GetUtcNow(),
                ["experiments"] = new JsonArray([.. experiments.Select(e => new JsonObject
                {
                    ["id"] = e.Id, ["name"] = e.Name, ["file"] = $"experiments/{e.Id}.zip",
                })]),
                ["datasets"] = new JsonArray([.. datasets.Select(d => new JsonObject
                {
                    ["id"] = d.Id, ["name"] = d.Name, ["experimentId"] = d.ExperimentId, ["file"] = $"datasets/{d.Id}.jsonl",
                })]),
            };
            await using (var entry = await zip.CreateEntry("manifest.json").OpenAsync(cancellationToken))
            {
                await JsonSerializer.SerializeAsync(entry, manifest, Indented, cancellationToken);
            }

            foreach (var (id, _) in experiments)
            {
                // A bundle is itself a zip: stored, not compressed twice.
                await using var entry = await zip.CreateEntry($"experiments/{id}.zip", CompressionLevel.NoCompression).OpenAsync(cancellationToken);
                await _bundles.ExportAsync(id, entry, cancellationToken);
            }

            foreach (var (id, _, _) in datasets)
            {
                await using var entry = await zip.CreateEntry($"datasets/{id}.jsonl").OpenAsync(cancellationToken);
                await _datasets.ExportAsync(id, null, ImportFormat.JsonLines, entry, cancellationToken);
            }
        }

        await AuditLog.WriteAsync(connection, null, actor, projectId, "project.exported", "project", projectId, null,
            new { experiments = experiments.Count, datasets = datasets.Count }, cancellationToken);
    }
}
