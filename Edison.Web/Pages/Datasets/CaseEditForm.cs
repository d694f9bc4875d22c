using System.Text.Json;
using Edison.Core.Datasets;

namespace Edison.Web.Pages.Datasets;

/// The fields of one case as a person edits them: variables as a JSON object, tags comma-separated.
public sealed class CaseEditForm
{
    public string Variables { get; set; } = "{}";

    public string? ExpectedOutput { get; set; }

    public string? Tags { get; set; }

    public string? Difficulty { get; set; }

    public static CaseEditForm From(DatasetCase c) => From(c.Input, c.ExpectedOutput, c.Tags, c.Difficulty);

    public static CaseEditForm From(string input, string? expectedOutput, IReadOnlyList<string> tags, string? difficulty) => new()
    {
        Variables = JsonSerializer.Serialize(JsonSerializer.Deserialize<JsonElement>(input), Indented),
        ExpectedOutput = expectedOutput,
        Tags = string.Join(", ", tags),
        Difficulty = difficulty,
    };

    /// The case, or the errors by field name.
    public (CaseInput? Case, Dictionary<string, List<string>> Errors) ToCase()
    {
        var errors = new Dictionary<string, List<string>>();
        Dictionary<string, JsonElement>? variables = null;
        try
        {
            variables = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Variables ?? "");
        }
        catch (JsonException)
        {
        }

        if (variables is null || variables.Count == 0)
        {
            errors[nameof(Variables)] = ["Write the variables as a JSON object with at least one field, e.g. {\"question\": \"…\"}."];
        }

        var difficulty = string.IsNullOrWhiteSpace(Difficulty) ? null : Difficulty.Trim().ToLowerInvariant();
        if (difficulty is not null and not ("easy" or "medium" or "hard"))
        {
            errors[nameof(Difficulty)] = ["Difficulty is easy, medium, hard or empty."];
        }

        var tags = (Tags ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (tags.Any(t => t.Length > 50 || t.Any(char.IsWhiteSpace)))
        {
            errors[nameof(Tags)] = ["Each tag is one word of at most 50 characters, separated by commas."];
        }

        return errors.Count > 0 ? (null, errors)
            : (new CaseInput(variables!, string.IsNullOrWhiteSpace(ExpectedOutput) ? null : ExpectedOutput, tags, difficulty), errors);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
