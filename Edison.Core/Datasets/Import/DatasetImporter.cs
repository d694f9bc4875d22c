using System.Diagnostics;
using Edison.Core.Security;
using Npgsql;

namespace Edison.Core.Datasets.Import;

/// <summary>
/// Imports cases from CSV (through a column mapping), JSON lines or a JSON array: a preview first, then a commit that writes
/// every valid row into a new dataset (or a new version of an existing one) in one transaction and reports the skipped rows.
/// </summary>
public sealed class DatasetImporter
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly ProjectAccess _access;

    internal DatasetImporter(NpgsqlDataSource dataSource, TimeProvider time, ProjectAccess access)
    {
        _access = access;
        _dataSource = dataSource;
        _time = time;
    }

    /// <summary>Parses the whole file and returns its first <paramref name="rows"/> cases, every row error and the mapping used.</summary>
    public static async Task<ImportPreview> PreviewAsync(Stream file, ImportFormat format, ColumnMapping? mapping, int rows,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var (text, error) = await ImportText.ReadAsync(file, cancellationToken);
        if (error is not null)
        {
            return new ImportPreview(error, [], null, [], [], 0, 0);
        }

        var parse = DatasetFileParser.Parse(text!, format, mapping);
        var used = format == ImportFormat.Csv && parse.FileError is null ? mapping ?? ColumnMapping.Suggest(parse.Headers) : mapping;
        return new ImportPreview(parse.FileError, parse.Headers, used, parse.Rows.Take(rows).ToList(), parse.Errors, parse.TotalRows,
            parse.Rows.Count);
    }

    /// <summary>
    /// Writes every valid row into a new dataset named <paramref name="name"/> (when <paramref name="datasetId"/> is null) or as
    /// a new version of that dataset. A file-level error writes nothing.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<ImportResult> CommitAsync(Actor actor, Guid projectId, Guid? experimentId, Guid? datasetId, string name, Stream file,
        ImportFormat format, ColumnMapping? mapping, CancellationToken cancellationToken)
    {
        await _access.EnsureRoleAsync(actor, projectId, ProjectRole.Editor, cancellationToken);
        if (experimentId is { } e)
        {
            await _access.EnsureInProjectAsync(ResourceKinds.Experiment, e, projectId, cancellationToken);
        }

        if (datasetId is { } d)
        {
            await _access.EnsureInProjectAsync(ResourceKinds.Dataset, d, projectId, cancellationToken);
        }

        var started = _time.GetTimestamp();
        if (datasetId is null && DatasetFileParser.Unstorable(new CaseInput(new Dictionary<string, System.Text.Json.JsonElement>(), name, [], null)) is not null)
        {
            return new ImportResult("The dataset name holds a NUL character or half of a surrogate pair: choose another name.", null, null, 0, [],
                _time.GetElapsedTime(started));
        }

        var (text, error) = await ImportText.ReadAsync(file, cancellationToken);
        if (error is not null)
        {
            return new ImportResult(error, null, null, 0, [], _time.GetElapsedTime(started));
        }

        var parse = DatasetFileParser.Parse(text!, format, mapping);
        if (parse.FileError is not null)
        {
            return new ImportResult(parse.FileError, null, null, 0, parse.Errors, _time.GetElapsedTime(started));
        }

        if (parse.Rows.Count == 0)
        {
            return new ImportResult($"No row of the file is valid ({parse.Errors.Count} errors): nothing was imported.", null, null, 0,
                parse.Errors, _time.GetElapsedTime(started));
        }

        var cases = parse.Rows.Select(r => (r.Case, r.Split)).ToList();
        var note = $"Imported {cases.Count} cases ({format}){(parse.Errors.Count > 0 ? $", {parse.Errors.Count} rows skipped" : "")}";
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Guid id;
        int version;
        if (datasetId is { } existing)
        {
            id = existing;
            version = await DatasetStore.AppendAsync(connection, transaction, existing, cases, note, cancellationToken);
        }
        else
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            (id, version) = await DatasetStore.CreateAsync(connection, transaction, projectId, experimentId, name.Trim(), "golden", cases,
                note, cancellationToken);
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "dataset.import", "dataset", id, null,
            new { name = datasetId is null ? name.Trim() : null, format = format.ToString(), imported = cases.Count, skipped = parse.Errors.Count, version },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Debug.Assert(version > 0);
        return new ImportResult(null, id, version, cases.Count, parse.Errors, _time.GetElapsedTime(started));
    }
}
