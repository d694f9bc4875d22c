using System.Globalization;
using System.Text.Json;

namespace Edison.Core.Datasets.Import;

/// <summary>
/// Turns an import file's text into cases. File-level problems (malformed quoting, too many rows, not JSON at all) fail
/// the whole file; row-level problems skip that row with an error naming its row and column, and every valid row is kept.
/// </summary>
public static class DatasetFileParser
{
    private static readonly HashSet<string> Difficulties = new(StringComparer.Ordinal) { "easy", "medium", "hard" };
    private static readonly HashSet<string> Splits = new(StringComparer.Ordinal) { SplitAssigner.Train, SplitAssigner.Validation, SplitAssigner.Test };
    private static readonly char[] TagSeparators = [';', ',', '|'];

    /// <summary>Parses <paramref name="text"/>; a CSV without <paramref name="mapping"/> uses <see cref="ColumnMapping.Suggest"/>.</summary>
    public static ImportParse Parse(string text, ImportFormat format, ColumnMapping? mapping)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return ImportParse.Failed("The file is empty: there is nothing to import.");
        }

        return format switch
        {
            ImportFormat.Csv => ParseCsv(text, mapping),
            ImportFormat.JsonLines => ParseJsonLines(text),
            ImportFormat.JsonArray => ParseJsonArray(text),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    private static ImportParse ParseCsv(string text, ColumnMapping? mapping)
    {
        var (records, error) = CsvReader.Read(text, ImportLimits.MaxRows + 1);
        if (error is not null)
        {
            return ImportParse.Failed(error);
        }

        if (records.Count == 0)
        {
            return ImportParse.Failed("The file is empty: there is nothing to import.");
        }

        var headers = records[0].Fields.Select(h => h.Trim()).ToList();
        var duplicate = headers.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            return ImportParse.Failed($"Line 1: the column \"{duplicate.Key}\" appears twice in the header.");
        }

        mapping ??= ColumnMapping.Suggest(headers);
        var twice = headers.Where(h => mapping.RoleOf(h) == ColumnRole.Variable).GroupBy(ColumnMapping.VariableName, StringComparer.Ordinal)
            .FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            return ImportParse.Failed($"Line 1: the columns {string.Join(" and ", twice.Select(h => $"\"{h}\""))} both fill the variable \"{twice.Key}\".");
        }

        if (records.Count == 1)
        {
            return ImportParse.Failed("The file has a header but no rows: there is nothing to import.");
        }

        mapping ??= ColumnMapping.Suggest(headers);
        var unknown = mapping.Columns.Keys.Where(k => mapping.Columns[k] != ColumnRole.Ignore && !headers.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            return ImportParse.Failed($"The mapping names columns the file does not have: {string.Join(", ", unknown)}.");
        }

        if (!headers.Any(h => mapping.RoleOf(h) == ColumnRole.Variable))
        {
            return ImportParse.Failed("The mapping has no variable column: map at least one column to a template variable.");
        }

        var rows = new List<ImportedRow>();
        var errors = new List<ImportRowError>();
        for (var r = 1; r < records.Count; r++)
        {
            var record = records[r];
            if (record.Fields.Count != headers.Count)
            {
                errors.Add(new ImportRowError(r, record.Line, null,
                    $"The row has {record.Fields.Count} columns; the header has {headers.Count}."));
                continue;
            }

            var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            string? expected = null, difficulty = null, split = null;
            var tags = new List<string>();
            ImportRowError? rowError = null;
            for (var c = 0; c < headers.Count && rowError is null; c++)
            {
                var value = record.Fields[c];
                switch (mapping.RoleOf(headers[c]))
                {
                    case ColumnRole.Variable:
                        variables[ColumnMapping.VariableName(headers[c])] = JsonSerializer.SerializeToElement(value);
                        break;
                    case ColumnRole.ExpectedOutput:
                        expected = value.Length == 0 ? null : value;
                        break;
                    case ColumnRole.Tags:
                        tags.AddRange(SplitTags(value));
                        break;
                    case ColumnRole.Difficulty:
                        (difficulty, var difficultyError) = Check(value, Difficulties, "difficulty", "easy, medium or hard");
                        rowError = difficultyError is null ? null : new ImportRowError(r, record.Line, headers[c], difficultyError);
                        break;
                    case ColumnRole.Split:
                        (split, var splitError) = Check(value, Splits, "split", "train, validation or test");
                        rowError = splitError is null ? null : new ImportRowError(r, record.Line, headers[c], splitError);
                        break;
                }
            }

            if (rowError is not null)
            {
                errors.Add(rowError);
            }
            else if (variables.Values.All(v => v.GetString()!.Trim().Length == 0))
            {
                errors.Add(new ImportRowError(r, record.Line, null, "Every variable of the row is empty."));
            }
            else if (Unstorable(new CaseInput(variables, expected, tags, difficulty)) is { } bad)
            {
                errors.Add(new ImportRowError(r, record.Line, bad.Column, bad.Message));
            }
            else
            {
                rows.Add(new ImportedRow(r, new CaseInput(variables, expected, tags, difficulty), split));
            }
        }

        return new ImportParse(null, headers, rows, errors, records.Count - 1);
    }

    private static ImportParse ParseJsonLines(string text)
    {
        var lines = text.Split('\n');
        var nonEmpty = lines.Count(l => l.Trim().Length > 0);
        if (nonEmpty > ImportLimits.MaxRows)
        {
            return ImportParse.Failed($"The file has {nonEmpty.ToString("N0", CultureInfo.InvariantCulture)} rows: the limit is {ImportLimits.MaxRowsText} rows and {ImportLimits.MaxBytes / (1024 * 1024)} MB. Split it into smaller files.");
        }

        var rows = new List<ImportedRow>();
        var errors = new List<ImportRowError>();
        var row = 0;
        var failedToParse = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            row++;
            try
            {
                using var document = JsonDocument.Parse(line);
                Add(document.RootElement, row, i + 1, rows, errors);
            }
            catch (JsonException ex)
            {
                failedToParse++;
                errors.Add(new ImportRowError(row, i + 1, null, $"Not valid JSON: {ex.Message.Split(" Path:")[0]}"));
            }
        }

        return failedToParse == row
            ? ImportParse.Failed("No line of the file is a JSON object: is it really JSON lines?")
            : new ImportParse(null, [], rows, errors, row);
    }

    private static ImportParse ParseJsonArray(string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return ImportParse.Failed($"The file is not valid JSON (line {(ex.LineNumber ?? 0) + 1}): {ex.Message.Split(" Path:")[0]} Nothing was imported.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return ImportParse.Failed("The file must be a JSON array of cases ([{…}, {…}]).");
            }

            var count = document.RootElement.GetArrayLength();
            if (count > ImportLimits.MaxRows)
            {
                return ImportParse.Failed($"The file has {count.ToString("N0", CultureInfo.InvariantCulture)} rows: the limit is {ImportLimits.MaxRowsText} rows. Split it into smaller files.");
            }

            var rows = new List<ImportedRow>();
            var errors = new List<ImportRowError>();
            var row = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                row++;
                Add(element, row, 0, rows, errors);
            }

            return new ImportParse(null, [], rows, errors, row);
        }
    }

    private static void Add(JsonElement root, int row, int line, List<ImportedRow> rows, List<ImportRowError> errors)
    {
        ImportedRow? imported;
        string? column, error;
        try
        {
            (imported, column, error) = ReadObject(root, row);
        }
        catch (InvalidOperationException)
        {
            (imported, column, error) = (null, null, $"The case {Surrogate}.");
        }
        catch (ArgumentException)
        {
            (imported, column, error) = (null, null, "A field appears twice in the object.");
        }

        if (error is null && Unstorable(imported!.Case) is { } bad)
        {
            (column, error) = bad;
        }

        if (error is not null)
        {
            errors.Add(new ImportRowError(row, line, column, error));
        }
        else
        {
            rows.Add(imported!);
        }
    }

    /// <summary>
    /// The first text of the case PostgreSQL cannot store, named by its field: a NUL character (U+0000, refused in <c>text</c>
    /// and <c>jsonb</c>) or half of a UTF-16 surrogate pair (not a character at all; JSON can spell one as <c>\ud800</c>).
    /// </summary>
    internal static (string Column, string Message)? Unstorable(CaseInput input)
    {
        foreach (var (name, value) in input.Variables)
        {
            if (Problem(name) is { } nameProblem)
            {
                return (Printable(name), $"The name of a variable {nameProblem}.");
            }

            if (Problem(value) is { } valueProblem)
            {
                return (name, $"The variable \"{name}\" {valueProblem}.");
            }
        }

        if (Problem(input.ExpectedOutput) is { } expectedProblem)
        {
            return ("expected", $"The expected output {expectedProblem}.");
        }

        return input.Tags.Select(Problem).FirstOrDefault(p => p is not null) is { } tagProblem
            ? ("tags", $"A tag {tagProblem}.")
            : null;
    }

    private static string? Problem(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return ProblemOfString(element);
            case JsonValueKind.Number:
                return TooLarge(element.GetRawText()) ? BigNumber : null;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(Problem).FirstOrDefault(p => p is not null);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return Surrogate;
                    }

                    if ((Problem(name) ?? Problem(property.Value)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string? ProblemOfString(JsonElement element)
    {
        try
        {
            return Problem(element.GetString());
        }
        catch (InvalidOperationException)
        {
            return Surrogate;
        }
    }

    // PostgreSQL's numeric (which jsonb numbers are) holds up to 131,072 digits before the point and 16,383 after; a number
    // whose exponent or length passes 16,000 is refused rather than risk the commit failing on it.
    private const int MaxNumberDigits = 16_000;
    private const string BigNumber = "holds a number too large or too precise to store (more than 16,000 digits)";

    private static bool TooLarge(string raw)
    {
        if (raw.Length > MaxNumberDigits)
        {
            return true;
        }

        var e = raw.AsSpan().IndexOfAny('e', 'E');
        return e >= 0 && (!int.TryParse(raw.AsSpan(e + 1), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var exponent)
            || Math.Abs(exponent) > MaxNumberDigits);
    }

    private const string Nul = "holds a NUL character (U+0000), which cannot be stored";
    private const string Surrogate = "holds half of a UTF-16 surrogate pair (such as \\ud800 alone), which is not a character and cannot be stored";

    private static string? Problem(string? text)
    {
        if (text is null)
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return Nul;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return Surrogate;
            }
        }

        return null;
    }

    private static string Printable(string name) =>
        string.Concat(name.Select(c => c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c));

    private static (ImportedRow? Row, string? Column, string? Error) ReadObject(JsonElement root, int row)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, null, "Each case must be a JSON object, such as {\"question\": \"…\"}.");
        }

        if (!root.TryGetProperty("input", out var input))
        {
            var flat = root.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
            return flat.Count == 0 ? (null, null, "The object has no variables.") : (new ImportedRow(row, new CaseInput(flat, null, [], null), null), null, null);
        }

        if (input.ValueKind != JsonValueKind.Object)
        {
            return (null, "input", "\"input\" must be an object of template variables.");
        }

        var variables = input.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        if (variables.Count == 0)
        {
            return (null, "input", "\"input\" has no variables.");
        }

        string? expected = null;
        if (root.TryGetProperty("expected", out var e) && e.ValueKind != JsonValueKind.Null)
        {
            if (Problem(e) is { } expectedProblem)
            {
                return (null, "expected", $"The expected output {expectedProblem}.");
            }

            expected = e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
        }

        var tags = new List<string>();
        if (root.TryGetProperty("tags", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.Array || t.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            {
                return (null, "tags", "\"tags\" must be an array of strings.");
            }

            if (Problem(t) is { } tagProblem)
            {
                return (null, "tags", $"A tag {tagProblem}.");
            }

            tags.AddRange(t.EnumerateArray().Select(x => x.GetString()!.Trim()).Where(x => x.Length > 0));
        }

        var (difficulty, difficultyError) = ReadChoice(root, "difficulty", Difficulties, "easy, medium or hard");
        if (difficultyError is not null)
        {
            return (null, "difficulty", difficultyError);
        }

        var (split, splitError) = ReadChoice(root, "split", Splits, "train, validation or test");
        return splitError is not null
            ? (null, "split", splitError)
            : (new ImportedRow(row, new CaseInput(variables, expected, tags, difficulty), split), null, null);
    }

    private static (string? Value, string? Error) ReadChoice(JsonElement root, string name, HashSet<string> allowed, string words)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        return element.ValueKind == JsonValueKind.String
            ? Check(element.GetString()!, allowed, name, words)
            : (null, $"\"{name}\" must be {words}.");
    }

    private static (string? Value, string? Error) Check(string raw, HashSet<string> allowed, string name, string words)
    {
        var value = raw.Trim().ToLowerInvariant();
        if (value.Length == 0)
        {
            return (null, null);
        }

        return allowed.Contains(value) ? (value, null) : (null, $"The {name} \"{raw.Trim()}\" is not one of {words}.");
    }

    internal static IEnumerable<string> SplitTags(string value) =>
        value.Split(TagSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal);
}
