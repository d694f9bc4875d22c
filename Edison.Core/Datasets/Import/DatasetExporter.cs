using System.Text;
using System.Text.Json;
using Edison.Core.Persistence;

namespace Edison.Core.Datasets.Import;

/// <summary>Writes a dataset version in the import formats, so an export imports back unchanged.</summary>
public sealed class DatasetExporter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly DatasetReader _reader;

    internal DatasetExporter(DatasetReader reader) => _reader = reader;

    /// <summary>Writes the cases of <paramref name="version"/> (current when null) to <paramref name="output"/> as UTF-8.</summary>
    public async Task ExportAsync(Guid datasetId, int? version, ImportFormat format, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var cases = await _reader.GetCasesAsync(datasetId, version, cancellationToken);
        var text = Write(cases, format);
        await output.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>The cases as text in <paramref name="format"/>.</summary>
    public static string Write(IReadOnlyList<DatasetCase> cases, ImportFormat format)
    {
        ArgumentNullException.ThrowIfNull(cases);
        return format switch
        {
            ImportFormat.Csv => Csv(cases),
            ImportFormat.JsonLines => string.Join('\n', cases.Select(c => JsonSerializer.Serialize(Object(c)))) + "\n",
            ImportFormat.JsonArray => JsonSerializer.Serialize(cases.Select(Object).ToList(), Indented),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    private static Dictionary<string, object?> Object(DatasetCase c) => new(StringComparer.Ordinal)
    {
        ["input"] = JsonSerializer.Deserialize<JsonElement>(c.Input),
        ["expected"] = c.ExpectedOutput,
        ["tags"] = c.Tags,
        ["difficulty"] = c.Difficulty,
        ["split"] = c.Split,
    };

    // Every field goes through CsvField.Inert (a value a spreadsheet would run as a formula gets a leading apostrophe, which
    // import removes again), and a variable named like a role column (tags, split, …) is written as input.<name>.
    private static string Csv(IReadOnlyList<DatasetCase> cases)
    {
        var rows = cases.Select(c => (Case: c, Variables: JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.Input)!)).ToList();
        var variables = rows.SelectMany(r => r.Variables.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var builder = new StringBuilder();
        builder.AppendJoin(',', variables.Select(ColumnMapping.ColumnOf).Append("expected_output").Append("tags").Append("difficulty").Append("split")
                .Select(f => CsvField.Quote(CsvField.Inert(f))))
            .Append("\r\n");
        foreach (var (c, values) in rows)
        {
            var fields = variables.Select(v => values.TryGetValue(v, out var e) ? e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText() : "")
                .Append(c.ExpectedOutput ?? "").Append(string.Join(';', c.Tags)).Append(c.Difficulty ?? "").Append(c.Split);
            builder.AppendJoin(',', fields.Select(f => CsvField.Quote(CsvField.Inert(f)))).Append("\r\n");
        }

        return builder.ToString();
    }
}
