using System.Collections.Concurrent;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Edison.Testing;

/// <summary>
/// People for tests that call Core services directly: Core checks the actor's project role, so each actor is a real user
/// with a real membership, made straight in the database (no sign-up needed).
/// </summary>
public static class TestActors
{
    private static readonly ConcurrentDictionary<(NpgsqlDataSource DataSource, Guid? ProjectId), Lazy<Task<Actor>>> Owners = new();

    /// <summary>The one owner of the default project these tests share per database (made on first use).</summary>
    public static Task<Actor> OwnerAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        return Owners.GetOrAdd((dataSource, null), _ => new Lazy<Task<Actor>>(() => DefaultProjectOwnerAsync(services, cancellationToken))).Value;
    }

    /// <summary>The one owner of <paramref name="projectId"/> these tests share (made on first use).</summary>
    public static Task<Actor> OwnerOfAsync(NpgsqlDataSource dataSource, Guid projectId, CancellationToken cancellationToken) =>
        Owners.GetOrAdd((dataSource, projectId),
            _ => new Lazy<Task<Actor>>(() => MemberAsync(dataSource, projectId, ProjectRole.Owner, cancellationToken))).Value;

    /// <summary>The one owner of <paramref name="projectId"/> these tests share, on the services' database.</summary>
    public static Task<Actor> OwnerOfAsync(IServiceProvider services, Guid projectId, CancellationToken cancellationToken) =>
        OwnerOfAsync(services.GetRequiredService<NpgsqlDataSource>(), projectId, cancellationToken);

    /// <summary>The shared owner of the project that holds the resource (see <see cref="ResourceKinds"/>).</summary>
    public static async Task<Actor> OwnerOnAsync(IServiceProvider services, string resourceKind, Guid id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var projectId = await services.GetRequiredService<ProjectAccess>().ProjectOfAsync(resourceKind, id, cancellationToken)
            ?? throw new InvalidOperationException($"No {resourceKind} {id}.");
        return await OwnerOfAsync(services.GetRequiredService<NpgsqlDataSource>(), projectId, cancellationToken);
    }

    /// <summary>A new user holding <paramref name="role"/> in <paramref name="projectId"/>.</summary>
    public static async Task<Actor> MemberAsync(NpgsqlDataSource dataSource, Guid projectId, ProjectRole role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var userId = await UserAsync(dataSource, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO project_members (project_id, user_id, role) VALUES (@projectId, @userId, @role)",
            new { projectId, userId, role = role.ToText() }, cancellationToken: cancellationToken));
        return new Actor(userId, RequestId: $"test-{Guid.NewGuid():N}");
    }

    /// <summary>A new user who belongs to no project.</summary>
    public static async Task<Actor> OutsiderAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        new(await UserAsync(dataSource, cancellationToken), RequestId: $"test-{Guid.NewGuid():N}");

    /// <summary>A new owner of the instance's default project (created when there is none), where most tests build experiments.</summary>
    public static async Task<Actor> DefaultProjectOwnerAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var projectId = await services.GetRequiredService<ExperimentService>().DefaultProjectIdAsync(cancellationToken);
        return await MemberAsync(services.GetRequiredService<NpgsqlDataSource>(), projectId, ProjectRole.Owner, cancellationToken);
    }

    private static async Task<Guid> UserAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var id = Ids.New();
        var email = $"actor-{id:N}@tests.example";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO users (id, email, normalized_email, display_name, security_stamp, concurrency_stamp)
            VALUES (@id, @email, upper(@email), 'Test actor', @stamp, @stamp)
            """, new { id, email, stamp = Guid.NewGuid().ToString("N") }, cancellationToken: cancellationToken));
        return id;
    }
}
