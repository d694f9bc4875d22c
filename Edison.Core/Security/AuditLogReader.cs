using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
using Edison.Core.Persistence;
using Npgsql;

namespace Edison.Core.Security;

/// <summary>
/// Reads a project's audit log for its admins: a filtered page, the filter choices, and a streamed CSV or JSON Lines export.
/// It shows what <see cref="AuditLog"/> stored, which by construction never holds a secret.
/// </summary>
public sealed class AuditLogReader
{
    /// <summary>Rows per page unless the caller asks otherwise.</summary>
    public const int DefaultPageSize = 50;

    private const string Filtered = """
        FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
        WHERE a.project_id = @projectId
          AND (@user::text IS NULL OR u.normalized_email = upper(@user))
          AND (@action::text IS NULL OR a.action = @action)
          AND (@entityType::text IS NULL OR a.entity_type = @entityType)
          AND (@from::timestamptz IS NULL OR a.created_at >= @from)
          AND (@to::timestamptz IS NULL OR a.created_at < @to)
          AND (@pattern::text IS NULL OR a.action ILIKE @pattern OR a.entity_type ILIKE @pattern OR u.email ILIKE @pattern
               OR a.request_id ILIKE @pattern OR a.entity_id::text ILIKE @pattern OR a.before::text ILIKE @pattern OR a.after::text ILIKE @pattern)
        """;

    private const string Columns =
        "SELECT a.id, a.created_at AS at, u.email AS user_email, a.action, a.entity_type, a.entity_id, a.before::text, a.after::text, a.request_id";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal AuditLogReader(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>One page (1-based) of the rows the filter matches, newest first.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<AuditPage> PageAsync(Actor actor, Guid projectId, AuditFilter filter, int page, int pageSize,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        page = Math.Max(1, page);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = Parameters(projectId, filter);
        parameters.Add("take", pageSize + 1);
        parameters.Add("skip", (page - 1) * pageSize);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Columns} {Filtered} ORDER BY a.created_at DESC, a.id DESC LIMIT @take OFFSET @skip", parameters,
            cancellationToken: cancellationToken))).Select(r => r.ToEntry()).ToList();
        var hasMore = rows.Count > pageSize;
        return new AuditPage(hasMore ? rows[..pageSize] : rows, page, pageSize, hasMore);
    }

    /// <summary>The people, actions and entity types in the project's log, for the filter menus.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task<AuditChoices> ChoicesAsync(Actor actor, Guid projectId, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition("""
            SELECT DISTINCT u.email FROM audit_log a JOIN users u ON u.id = a.user_id WHERE a.project_id = @projectId ORDER BY 1;
            SELECT DISTINCT action FROM audit_log WHERE project_id = @projectId ORDER BY 1;
            SELECT DISTINCT entity_type FROM audit_log WHERE project_id = @projectId ORDER BY 1;
            """, new { projectId }, cancellationToken: cancellationToken));
        var users = (await grid.ReadAsync<string>()).ToList();
        var actions = (await grid.ReadAsync<string>()).ToList();
        var types = (await grid.ReadAsync<string>()).ToList();
        return new AuditChoices(users, actions, types);
    }

    /// <summary>Writes every row the filter matches, newest first, to <paramref name="destination"/> as UTF-8, row by row.</summary>
    [RequiresRole(ProjectRole.Admin)]
    public async Task ExportAsync(Actor actor, Guid projectId, AuditFilter filter, AuditExportFormat format, Stream destination,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(destination);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        await using var writer = new StreamWriter(destination, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true);
        if (format == AuditExportFormat.Csv)
        {
            await writer.WriteAsync("time,user,action,entity_type,entity_id,before,after,request_id\r\n".AsMemory(), cancellationToken);
        }

        await foreach (var entry in StreamAsync(projectId, filter, cancellationToken))
        {
            var line = format == AuditExportFormat.Csv ? CsvLine(entry) : JsonLine(entry);
            await writer.WriteAsync(line.AsMemory(), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    private async IAsyncEnumerable<AuditEntry> StreamAsync(Guid projectId, AuditFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var sql = $"{Columns} {Filtered} ORDER BY a.created_at DESC, a.id DESC";
        var rows = connection.QueryUnbufferedAsync<Row>(sql, Parameters(projectId, filter));
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row.ToEntry();
        }
    }

    private static DynamicParameters Parameters(Guid projectId, AuditFilter filter)
    {
        var parameters = new DynamicParameters();
        parameters.Add("projectId", projectId);
        parameters.Add("user", Blank(filter.User));
        parameters.Add("action", Blank(filter.Action));
        parameters.Add("entityType", Blank(filter.EntityType));
        parameters.Add("from", filter.From?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        parameters.Add("to", filter.To?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        parameters.Add("pattern", Blank(filter.Text) is { } text ? $"%{EscapeLike(text)}%" : null);
        return parameters;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // ILIKE's default escape character is the backslash; searched text matches literally.
    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string CsvLine(AuditEntry e) =>
        string.Join(',', new[]
        {
            e.At.ToString("O", CultureInfo.InvariantCulture), e.User ?? "", e.Action, e.EntityType, e.EntityId?.ToString() ?? "",
            e.Before ?? "", e.After ?? "", e.RequestId ?? "",
        }.Select(f => CsvField.Quote(CsvField.Inert(f)))) + "\r\n";

    private static string JsonLine(AuditEntry e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", e.At);
            json.WriteString("user", e.User);
            json.WriteString("action", e.Action);
            json.WriteString("entityType", e.EntityType);
            json.WriteString("entityId", e.EntityId?.ToString());
            WriteRaw(json, "before", e.Before);
            WriteRaw(json, "after", e.After);
            json.WriteString("requestId", e.RequestId);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteRaw(Utf8JsonWriter json, string name, string? value)
    {
        json.WritePropertyName(name);
        if (value is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteRawValue(value);
        }
    }

    private sealed record Row(long Id, DateTime At, string? UserEmail, string Action, string EntityType, Guid? EntityId, string? Before, string? After,
        string? RequestId)
    {
        public AuditEntry ToEntry() => new(Id, new DateTimeOffset(DateTime.SpecifyKind(At, DateTimeKind.Utc)), UserEmail, Action, EntityType, EntityId,
            Before, After, RequestId);
    }
}
