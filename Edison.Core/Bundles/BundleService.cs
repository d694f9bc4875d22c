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
    /// Imports a bundle into <paramref name="projectId"/> under new ids, in one transaction. Credentials whose name exists in
    /// that project are reused; others are created without a key.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<BundleImportResult> ImportAsync(Actor actor, Guid projectId, Stream bundle, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Editor, cancellationToken);
        ArgumentNullException.ThrowIfNull(bundle);
        var tables = await ReadBundleAsync(bundle, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var map = new Dictionary<Guid, Guid>();

        // Projects and credentials are matched to what the instance has before anything else is remapped.
        var project = tables["projects"].Single()!.AsObject();
        map[Guid.Parse(project["id"]!.GetValue<string>())] = projectId;
        tables["projects"] = [];

        var credentials = new JsonArray();
        foreach (var credential in tables["provider_credentials"].Select(c => c!.AsObject()))
        {
            var existing = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "SELECT id FROM provider_credentials WHERE project_id = @project AND name = @name",
                new { project = map.Values.First(), name = credential["name"]!.GetValue<string>() }, transaction, cancellationToken: cancellationToken));
            map[Guid.Parse(credential["id"]!.GetValue<string>())] = existing ?? Ids.New();
            if (existing is null)
            {
                credentials.Add(credential.DeepClone());
            }
        }

        tables["provider_credentials"] = credentials;
        // New ids in the old ids' order, so a re-export lists rows in the same order.
        var olds = tables.Where(t => t.Key is not ("projects" or "provider_credentials")).SelectMany(t => t.Value)
            .Select(r => r!["id"]?.GetValue<string>()).OfType<string>().Select(Guid.Parse).Where(id => !map.ContainsKey(id)).Distinct().Order().ToList();
        // Version 7 ids made in the same millisecond are random among themselves, so sort the new ones before pairing.
        var news = olds.Select(_ => Ids.New()).Order().ToList();
        for (var k = 0; k < olds.Count; k++)
        {
            map[olds[k]] = news[k];
        }

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

        var experiment = tables["experiments"].Single()!;
        var experimentId = map[Guid.Parse(experiment["id"]!.GetValue<string>())];
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "bundle.import", "experiment", experimentId, null,
            new { name = experiment["name"]?.GetValue<string>(), rows }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new BundleImportResult(experimentId, rows);
    }

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
