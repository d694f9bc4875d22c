using System.Text.Json;
using Dapper;
using Npgsql;

namespace Edison.Core.Security;

/// <summary>Writes one row of <c>audit_log</c> in the caller's transaction. Summaries never hold secrets: callers pass names, not keys.</summary>
internal static class AuditLog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Actor? actor, Guid? projectId, string action,
        string entityType, Guid? entityId, object? before, object? after, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_log (project_id, user_id, action, entity_type, entity_id, before, after, request_id)
            VALUES (@projectId, @userId, @action, @entityType, @entityId, @before::jsonb, @after::jsonb, @requestId)
            """, new
        {
            projectId, userId = actor?.UserId, action, entityType, entityId,
            before = before is null ? null : JsonSerializer.Serialize(before, Json),
            after = after is null ? null : JsonSerializer.Serialize(after, Json),
            requestId = actor?.RequestId,
        }, transaction, cancellationToken: cancellationToken));
}
