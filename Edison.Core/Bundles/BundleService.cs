using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Bundles;

/// <summary>
/// Exports an experiment (configs, prompt versions with lineage, datasets with case versions, iterations, outputs,
/// judgments, metrics, suggestions, reviews and the LLM calls behind them) as a zip of JSON tables plus an HTML report, and
/// imports such a zip into another instance under new ids, mapped consistently (inside JSON and call keys too).
/// Accounts and API keys never travel: person references arrive empty and imported credentials need their key again.
/// </summary>
public sealed partial class BundleService
{
    /// <summary>The format name in <c>manifest.json</c>.</summary>
    public const string Format = "edison-experiment-bundle";

    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    internal BundleService(NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _dataSource = dataSource;
        _access = access;
    }

    /// <summary>Writes the experiment's bundle to <paramref name="destination"/>; false when it does not exist.</summary>
    public async Task<bool> ExportAsync(Guid experimentId, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var tables = await ReadTablesAsync(experimentId, cancellationToken);
        if (tables["experiments"].Count == 0)
        {
            return false;
        }

        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        await WriteEntryAsync(zip, "manifest.json", new JsonObject
        {
            ["format"] = Format,
            ["version"] = FormatVersion,
            ["experiment"] = tables["experiments"][0]!["name"]?.DeepClone(),
            ["tables"] = new JsonArray([.. BundleTables.All.Select(t => JsonValue.Create(t.Name))]),
        }.ToJsonString(Indented), cancellationToken);
        foreach (var table in BundleTables.All)
        {
            await WriteEntryAsync(zip, $"tables/{table.Name}.json", tables[table.Name].ToJsonString(Indented), cancellationToken);
        }

        await WriteEntryAsync(zip, "report.html", BundleReport.Render(tables), cancellationToken);
        return true;
    }

    /// <summary>
    /// Imports a bundle into <paramref name="projectId"/> under new ids, in one transaction, taking from the file only what a
    /// person could enter through the pages: every id column must name a row the bundle itself holds (remapped to its new id),
    /// project columns are the target project, person columns are the importer, and credentials never travel — each credential
    /// the bundle's models, judges and refiner name must be mapped by <paramref name="credentials"/> to one of the project's
    /// own. Iterations arrive finished (one that was still running is cancelled) and recorded LLM calls arrive as history under
    /// keys no live iteration uses. Each imported object gets its audit row. A malformed bundle throws
    /// <see cref="InvalidDataException"/> with the reason.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<BundleImportResult> ImportAsync(Actor actor, Guid projectId, Stream bundle, IReadOnlyDictionary<Guid, Guid> credentials,
        CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Editor, cancellationToken);
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(credentials);
        var tables = await ReadBundleAsync(bundle, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            var result = await ImportRowsAsync(connection, transaction, actor, projectId, tables, credentials, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal))
        {
            // A value of the wrong type, a missing required column, a duplicate or dangling row: the file's fault, said in words.
            throw new InvalidDataException($"The bundle's rows do not fit this instance: {ex.MessageText}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or KeyNotFoundException or JsonException)
        {
            throw new InvalidDataException($"The bundle's rows are malformed: {ex.Message}", ex);
        }
    }

    private static async Task<BundleImportResult> ImportRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Actor actor,
        Guid projectId, Dictionary<string, JsonArray> tables, IReadOnlyDictionary<Guid, Guid> credentials, CancellationToken cancellationToken)
    {
        if (tables["experiments"].Count != 1)
        {
            throw new InvalidDataException("A bundle holds exactly one experiment.");
        }

        // Projects and credentials are never taken from the file: the target project is the importer's, credentials are chosen.
        tables["projects"] = [];
        var bundleCredentials = tables["provider_credentials"].Select(c => c!.AsObject())
            .ToDictionary(c => RowId(c), c => c["name"] is JsonValue name && name.TryGetValue<string>(out var text) ? text : "");
        tables["provider_credentials"] = [];
        var needed = CredentialReferences(tables);
        var unmapped = needed.Where(id => !credentials.ContainsKey(id)).ToList();
        if (unmapped.Count > 0)
        {
            throw new InvalidDataException("Choose one of this project's credentials for each credential the bundle names: "
                + string.Join(", ", unmapped.Select(id => bundleCredentials.TryGetValue(id, out var name) && name.Length > 0 ? $"{id} ({name})" : id.ToString())) + ".");
        }

        var chosen = needed.Select(id => credentials[id]).Distinct().ToArray();
        var owned = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM provider_credentials WHERE id = ANY(@chosen) AND project_id = @projectId",
            new { chosen, projectId }, transaction, cancellationToken: cancellationToken))).ToHashSet();
        if (chosen.FirstOrDefault(id => !owned.Contains(id)) is var foreign && foreign != Guid.Empty)
        {
            throw new InvalidDataException($"Credential {foreign} is not one of this project's credentials.");
        }

        // New ids in the old ids' order, so a re-export lists rows in the same order.
        var olds = tables.SelectMany(t => t.Value).Select(r => RowId(r!.AsObject(), allowMissing: true)).OfType<Guid>().Distinct().Order().ToList();
        if (olds.Any(credentials.ContainsKey))
        {
            throw new InvalidDataException("A credential's id is also a row's id in the bundle.");
        }

        // Version 7 ids made in the same millisecond are random among themselves, so sort the new ones before pairing.
        var news = olds.Select(_ => Ids.New()).Order().ToList();
        var map = new Dictionary<Guid, Guid>();
        for (var k = 0; k < olds.Count; k++)
        {
            map[olds[k]] = news[k];
        }

        var newIds = news.ToHashSet();
        foreach (var needer in needed)
        {
            map[needer] = credentials[needer];
        }

        var uuidColumns = (await connection.QueryAsync<(string Table, string Column)>(new CommandDefinition("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND data_type = 'uuid' AND table_name = ANY(@tables)
            """, new { tables = BundleTables.All.Select(t => t.Name).ToArray() }, transaction, cancellationToken: cancellationToken)))
            .ToLookup(c => c.Table, c => c.Column);
        var experimentId = map[RowId(tables["experiments"][0]!.AsObject())];
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        var deferred = new List<(string Table, string Column, Guid Id, Guid Value)>();
        foreach (var table in BundleTables.All)
        {
            var remapped = new JsonArray();
            foreach (var row in tables[table.Name].Select(r => r!.AsObject()))
            {
                var copy = Remap(row, map);
                foreach (var (_, column, start) in BundleTables.InstanceColumns.Where(c => c.Table == table.Name))
                {
                    copy[column] = start;
                }

                foreach (var column in uuidColumns[table.Name])
                {
                    copy[column] = column switch
                    {
                        "project_id" => projectId.ToString(),
                        _ when BundleTables.UserColumns.Contains(column) => copy[column] is null ? null : actor.UserId.ToString(),
                        "credential_id" => Checked(copy, column, owned.Contains, "one of the chosen credentials"),
                        _ => Checked(copy, column, newIds.Contains, "a row the bundle holds"),
                    };
                }

                Restrict(table.Name, copy, experimentId, id => newIds.Contains(id) || owned.Contains(id));
                foreach (var column in table.Deferred)
                {
                    if (copy[column] is JsonValue value && value.TryGetValue<string>(out var text) && Guid.TryParse(text, out var target))
                    {
                        deferred.Add((table.Name, column, Guid.Parse(copy["id"]!.GetValue<string>()), target));
                        copy[column] = null;
                    }
                }

                remapped.Add(copy);
            }

            rows[table.Name] = remapped.Count;
            if (remapped.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO {table.Name} SELECT * FROM json_populate_recordset(null::{table.Name}, @json::json)",
                    new { json = remapped.ToJsonString() }, transaction, cancellationToken: cancellationToken));
            }
        }

        foreach (var (table, column, id, value) in deferred)
        {
            await connection.ExecuteAsync(new CommandDefinition($"UPDATE {table} SET {column} = @value WHERE id = @id", new { value, id }, transaction,
                cancellationToken: cancellationToken));
        }

        // Every row hangs off the one experiment: a row the bundle holds but that belongs to nothing imported is refused.
        var stray = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT (SELECT count(*) FROM experiments WHERE id = ANY(@ids) AND id <> @experimentId)
                 + (SELECT count(*) FROM prompt_versions WHERE id = ANY(@ids) AND experiment_id IS DISTINCT FROM @experimentId)
                 + (SELECT count(*) FROM model_configs WHERE id = ANY(@ids) AND experiment_id IS DISTINCT FROM @experimentId)
                 + (SELECT count(*) FROM judge_configs WHERE id = ANY(@ids) AND experiment_id IS DISTINCT FROM @experimentId)
                 + (SELECT count(*) FROM datasets WHERE id = ANY(@ids) AND experiment_id IS DISTINCT FROM @experimentId)
                 + (SELECT count(*) FROM iterations WHERE id = ANY(@ids) AND experiment_id IS DISTINCT FROM @experimentId)
                 + (SELECT count(*) FROM llm_calls WHERE id = ANY(@ids) AND experiment_id IS DISTINCT FROM @experimentId)
            """, new { ids = news.ToArray(), experimentId }, transaction, cancellationToken: cancellationToken));
        if (stray > 0)
        {
            throw new InvalidDataException("The bundle holds rows of another experiment than its own.");
        }

        var experiment = tables["experiments"].Single()!;
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "bundle.import", "experiment", experimentId, null,
            new { name = experiment["name"]?.ToString(), rows, credentials = needed.ToDictionary(id => id.ToString(), id => credentials[id]) },
            cancellationToken);
        foreach (var (table, kind) in AuditedObjects)
        {
            foreach (var row in tables[table])
            {
                await AuditLog.WriteAsync(connection, transaction, actor, projectId, "bundle.import", kind, map[RowId(row!.AsObject())], null,
                    new { experimentId }, cancellationToken);
            }
        }

        return new BundleImportResult(experimentId, rows);
    }

    /// The objects a person could create on the pages, each audited on import (cases, outputs and calls are counted on the experiment's row).
    private static readonly (string Table, string Kind)[] AuditedObjects =
    [
        ("prompt_versions", "prompt-version"), ("model_configs", "model-config"), ("judge_configs", "judge-config"), ("datasets", "dataset"),
        ("dataset_versions", "dataset-version"), ("iterations", "iteration"), ("suggestions", "suggestion"), ("reviews", "review"),
    ];

    /// The credentials the bundle's models, judges, refiner and recorded calls name.
    private static HashSet<Guid> CredentialReferences(Dictionary<string, JsonArray> tables)
    {
        var ids = new HashSet<Guid>();
        foreach (var table in new[] { "model_configs", "judge_configs", "llm_calls" })
        {
            foreach (var row in tables[table].Select(r => r!.AsObject()))
            {
                if (row["credential_id"] is JsonNode value)
                {
                    ids.Add(Guid.Parse(value.GetValue<string>()));
                }
            }
        }

        if (tables["experiments"][0]!["refiner_config"] is JsonObject refiner && refiner["credentialId"] is JsonNode refinerCredential)
        {
            ids.Add(Guid.Parse(refinerCredential.GetValue<string>()));
        }

        return ids;
    }

    private static string? Checked(JsonObject row, string column, Func<Guid, bool> allowed, string what)
    {
        if (row[column] is null)
        {
            return null;
        }

        var value = Guid.Parse(row[column]!.GetValue<string>());
        return allowed(value) ? value.ToString() : throw new InvalidDataException($"{column} {value} is not {what}.");
    }

    /// What the file may not decide: no iteration arrives live, no recorded call under a key a live iteration could reuse, and
    /// the experiment's own configuration names no id the bundle does not hold or map.
    private static void Restrict(string table, JsonObject row, Guid experimentId, Func<Guid, bool> known)
    {
        switch (table)
        {
            case "iterations":
                if (row["status"]?.ToString() is not ("completed" or "failed" or "cancelled"))
                {
                    row["status"] = "cancelled";
                }

                row["is_paused"] = false;
                row["scheduled_run"] = false;
                break;
            case "llm_calls":
                row["call_key"] = $"import:{experimentId}:{row["call_key"]?.ToString() ?? Guid.NewGuid().ToString()}";
                break;
            case "experiments":
                // Configuration (the refiner's credential, selectors) may only name what the bundle holds or the importer chose.
                foreach (var (column, value) in row.Where(p => p.Value is JsonObject or JsonArray).ToList())
                {
                    if (UuidPattern().Matches(value!.ToJsonString()).Select(m => Guid.Parse(m.Value)).FirstOrDefault(id => !known(id)) is var unknown
                        && unknown != Guid.Empty)
                    {
                        throw new InvalidDataException($"experiments.{column} names {unknown}, which the bundle neither holds nor maps.");
                    }
                }

                break;
        }
    }

    private static Guid RowId(JsonObject row) => RowId(row, allowMissing: false)!.Value;

    private static Guid? RowId(JsonObject row, bool allowMissing) => row["id"] switch
    {
        null when allowMissing => null,
        JsonValue value when value.TryGetValue<string>(out var text) && Guid.TryParse(text, out var id) => id,
        _ => throw new InvalidDataException($"A row's id is missing or not an id: {row.ToJsonString()[..Math.Min(200, row.ToJsonString().Length)]}"),
    };

    /// <summary>
    /// The bundle's tables with every id replaced by its order of first appearance (<c>#1</c>, <c>#2</c>…), so two bundles of
    /// the same content compare equal whatever ids each instance gave it.
    /// </summary>
    public static async Task<string> CanonicalContentAsync(Stream bundle, CancellationToken cancellationToken)
    {
        var tables = await ReadBundleAsync(bundle, cancellationToken);
        var numbers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = new StringBuilder();
        foreach (var table in BundleTables.All)
        {
            text.Append("## ").AppendLine(table.Name);
            foreach (var row in tables[table.Name])
            {
                text.AppendLine(UuidPattern().Replace(row!.ToJsonString(), m =>
                {
                    if (!numbers.TryGetValue(m.Value, out var n))
                    {
                        n = $"#{numbers.Count + 1}";
                        numbers[m.Value] = n;
                    }

                    return n;
                }));
            }
        }

        return text.ToString();
    }

    private static JsonObject Remap(JsonObject row, Dictionary<Guid, Guid> map)
    {
        var json = UuidPattern().Replace(row.ToJsonString(), m => map.TryGetValue(Guid.Parse(m.Value), out var to) ? to.ToString() : m.Value);
        return JsonNode.Parse(json)!.AsObject();
    }

    private async Task<Dictionary<string, JsonArray>> ReadTablesAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var tables = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        foreach (var table in BundleTables.All)
        {
            var json = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                $"SELECT coalesce(json_agg(t ORDER BY {table.OrderBy}), '[]')::text FROM {table.Name} t WHERE {table.Filter}",
                new { experimentId }, transaction, cancellationToken: cancellationToken));
            var rows = JsonNode.Parse(json!)!.AsArray();
            foreach (var row in rows.Select(r => r!.AsObject()))
            {
                foreach (var column in row.Select(p => p.Key).Where(k => BundleTables.UserColumns.Contains(k) || BundleTables.SecretColumns.Contains(k)).ToList())
                {
                    row[column] = null;
                }

                foreach (var (_, column, start) in BundleTables.InstanceColumns.Where(c => c.Table == table.Name))
                {
                    row[column] = start;
                }
            }

            tables[table.Name] = rows;
        }

        await transaction.CommitAsync(cancellationToken);
        return tables;
    }

    /// The bundle's tables, read under the zip limits of <see cref="InputLimits"/>; anything that is not a well-formed bundle
    /// throws <see cref="InvalidDataException"/> with the reason.
    private static async Task<Dictionary<string, JsonArray>> ReadBundleAsync(Stream bundle, CancellationToken cancellationToken)
    {
        try
        {
            using var zip = new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true);
            InputLimits.CheckZipDirectory(zip);
            var budget = new StrongBox<long>(InputLimits.MaxZipTotalBytes);
            var manifest = ParseEntry(await ReadEntryAsync(zip, "manifest.json", budget, cancellationToken), "manifest.json") as JsonObject;
            if (manifest?["format"] is not JsonValue format || !format.TryGetValue<string>(out var name) || name != Format
                || manifest["version"] is not JsonValue version || !version.TryGetValue<int>(out var number) || number != FormatVersion)
            {
                throw new InvalidDataException($"Not an {Format} version {FormatVersion} file.");
            }

            var tables = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
            foreach (var table in BundleTables.All)
            {
                var entry = $"tables/{table.Name}.json";
                var rows = ParseEntry(await ReadEntryAsync(zip, entry, budget, cancellationToken), entry) as JsonArray
                    ?? throw new InvalidDataException($"{entry} is not a JSON array of rows.");
                if (rows.Any(r => r is not JsonObject))
                {
                    throw new InvalidDataException($"{entry} holds something other than row objects.");
                }

                tables[table.Name] = rows;
            }

            return tables;
        }
        catch (InvalidDataException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            // System.IO.Compression's words for a damaged or unsupported archive (bad headers, encryption, a truncated stream).
            throw new InvalidDataException($"The bundle is not a readable zip: {ex.Message}", ex);
        }
    }

    private static JsonNode? ParseEntry(string text, string entry)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = InputLimits.MaxDepth });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{entry} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static async Task<string> ReadEntryAsync(ZipArchive zip, string name, StrongBox<long> budget, CancellationToken cancellationToken)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"The bundle has no {name}.");
        return await InputLimits.ReadZipEntryAsync(entry, budget, cancellationToken);
    }

    private static async Task WriteEntryAsync(ZipArchive zip, string name, string content, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        // A fixed timestamp keeps two exports of the same content byte-identical.
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var stream = await entry.OpenAsync(cancellationToken);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken);
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex UuidPattern();
}
