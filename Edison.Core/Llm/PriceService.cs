using Dapper;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Llm;

/// <summary>
/// The price list costs are computed from: the current price of every model with its source and as-of date, and new
/// prices set by an admin. A change adds a row effective from now, so calls already recorded keep the cost they had.
/// </summary>
public sealed class PriceService
{
    private const decimal MaxPerMtok = 10_000m;

    /// <summary>Why a project admin who is not the instance owner may not set a price.</summary>
    public const string NotInstanceOwner = "Prices are instance-wide (they move every project's costs and budgets): only the instance owner sets them.";
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ProjectAccess _access;
    private readonly PriceTable _table;

    internal PriceService(NpgsqlDataSource dataSource, TimeProvider time, ProjectAccess access, PriceTable table)
    {
        _access = access;
        _dataSource = dataSource;
        _time = time;
        _table = table;
    }

    /// <summary>The price in force for each (provider, model), by provider then model.</summary>
    public async Task<IReadOnlyList<ModelPrice>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ModelPrice>(new CommandDefinition("""
            SELECT DISTINCT ON (provider, model) provider, model, input_per_mtok, output_per_mtok, cached_input_per_mtok, source,
                   as_of::timestamp AS as_of, effective_from::timestamp AS effective_from
            FROM model_prices WHERE effective_from <= @now
            ORDER BY provider, model, effective_from DESC
            """, new { now = _time.GetUtcNow() }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>
    /// Sets a model's price from now on; returns the problem in words when a figure is not a price. Prices are instance-wide
    /// (a provider's list price is the same for every project) and move every project's costs and budgets, so only the
    /// instance owner sets them, signed in (not through an API token), from a project they administer
    /// (<paramref name="projectId"/>, which the audit row names).
    /// </summary>
    [RequiresInstanceOwner]
    public async Task<string?> SetAsync(Actor actor, Guid projectId, string provider, string model, decimal inputPerMtok, decimal outputPerMtok,
        decimal? cachedInputPerMtok, string? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Admin, cancellationToken);
        await using (var check = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            var isInstanceOwner = await check.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT coalesce((SELECT is_instance_owner FROM users WHERE id = @UserId), false)", actor, cancellationToken: cancellationToken));
            if (!isInstanceOwner || actor.RoleCap is not null)
            {
                throw new ProjectAccessDeniedException(NotInstanceOwner);
            }
        }

        provider = provider?.Trim() ?? "";
        model = model?.Trim() ?? "";
        if (provider.Length == 0 || model.Length == 0)
        {
            return "Name the provider and the model the price is for.";
        }

        if (inputPerMtok < 0 || outputPerMtok < 0 || cachedInputPerMtok < 0)
        {
            return "A price cannot be negative.";
        }

        if (inputPerMtok > MaxPerMtok || outputPerMtok > MaxPerMtok || cachedInputPerMtok > MaxPerMtok)
        {
            return $"Prices are per million tokens; over ${MaxPerMtok:N0} looks like a typing mistake.";
        }

        if (cachedInputPerMtok > inputPerMtok)
        {
            return "Cached input cannot cost more than input.";
        }

        var now = _time.GetUtcNow();
        var id = Ids.New();
        source = string.IsNullOrWhiteSpace(source) ? "Set by an admin" : source.Trim();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO model_prices (id, provider, model, input_per_mtok, output_per_mtok, cached_input_per_mtok, effective_from, source, as_of)
            VALUES (@id, @provider, @model, @inputPerMtok, @outputPerMtok, @cachedInputPerMtok, @now, @source, @today);
            """,
            new
            {
                id, provider, model, inputPerMtok, outputPerMtok, cachedInputPerMtok, now, source, today = now.UtcDateTime.Date,
            }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "price.set", "model_price", id, null,
            new { provider, model, inputPerMtok, outputPerMtok, cachedInputPerMtok, source }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        _table.Invalidate();
        return null;
    }
}
