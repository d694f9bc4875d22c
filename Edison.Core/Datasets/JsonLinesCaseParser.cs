using System.Text.Json;

namespace Edison.Core.Datasets;

/// <summary>
/// Reads cases typed or pasted as JSON lines. A line is either the variables themselves
/// (<c>{"question": "…"}</c>) or <c>{"input": {…}, "expected": "…", "tags": [...], "difficulty": "easy"}</c>.
/// Every line is checked; all errors are returned together so nothing valid is lost to the first mistake.
/// </summary>
public static class JsonLinesCaseParser
{
    /// <summary>Upper bound on cases per paste; larger sets come through the import page.</summary>
    public const int MaxCases = 1000;

    private static readonly HashSet<string> Difficulties = ["easy", "medium", "hard"];

    /// <summary>Parses the text into cases and per-line errors.</summary>
    public static (IReadOnlyList<CaseInput> Cases, IReadOnlyList<CaseParseError> Errors) Parse(string? text)
    {
        var cases = new List<CaseInput>();
        var errors = new List<CaseParseError>();
        var lines = (text ?? "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (cases.Count == MaxCases)
            {
                errors.Add(new CaseParseError(i + 1, $"More than {MaxCases} cases: split the paste or use the import page."));
                break;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var result = ReadCase(document.RootElement);
                if (result.Error is not null)
                {
                    errors.Add(new CaseParseError(i + 1, result.Error));
                }
                else
                {
                    cases.Add(result.Case!);
                }
            }
            catch (JsonException ex)
            {
                errors.Add(new CaseParseError(i + 1, $"Not valid JSON: {ex.Message.Split(" Path:")[0]}"));
            }
        }

        return (cases, errors);
    }

    private static (CaseInput? Case, string? Error) ReadCase(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, "Each line must be a JSON object, such as {\"question\": \"…\"}.");
        }

        if (!root.TryGetProperty("input", out var input))
        {
            var flat = Clone(root);
            return flat.Count == 0 ? (null, "The object has no variables.") : (new CaseInput(flat, null, [], null), null);
        }

        if (input.ValueKind != JsonValueKind.Object)
        {
            return (null, "\"input\" must be an object of template variables.");
        }

        string? expected = null;
        if (root.TryGetProperty("expected", out var expectedElement) && expectedElement.ValueKind != JsonValueKind.Null)
        {
            expected = expectedElement.ValueKind == JsonValueKind.String ? expectedElement.GetString() : expectedElement.GetRawText();
        }

        var tags = new List<string>();
        if (root.TryGetProperty("tags", out var tagsElement))
        {
            if (tagsElement.ValueKind != JsonValueKind.Array || tagsElement.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
            {
                return (null, "\"tags\" must be an array of strings.");
            }

            tags.AddRange(tagsElement.EnumerateArray().Select(t => t.GetString()!.Trim()).Where(t => t.Length > 0));
        }

        string? difficulty = null;
        if (root.TryGetProperty("difficulty", out var difficultyElement) && difficultyElement.ValueKind != JsonValueKind.Null)
        {
            difficulty = difficultyElement.ValueKind == JsonValueKind.String ? difficultyElement.GetString() : null;
            if (difficulty is null || !Difficulties.Contains(difficulty))
            {
                return (null, "\"difficulty\" must be \"easy\", \"medium\" or \"hard\".");
            }
        }

        var variables = Clone(input);
        return variables.Count == 0
            ? (null, "\"input\" has no variables.")
            : (new CaseInput(variables, expected, tags, difficulty), null);
    }

    private static Dictionary<string, JsonElement> Clone(JsonElement obj) =>
        obj.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
}
