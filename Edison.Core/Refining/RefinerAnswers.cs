using System.Text.Json;

namespace Edison.Core.Refining;

/// Reads and checks each step's JSON; a bad answer becomes an error in words (fed back once), never an exception.
internal static class RefinerAnswers
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static (DiagnosisAnswer? Value, string? Error) Diagnosis(string text)
    {
        var (answer, error) = Read<DiagnosisAnswer>(text, "diagnosis");
        if (answer is null)
        {
            return (null, error);
        }

        if (answer.Hypotheses is null || answer.Hypotheses.Count == 0)
        {
            return (null, "The diagnosis has no hypotheses; give at least one.");
        }

        if (answer.Hypotheses.Any(h => h is null || string.IsNullOrWhiteSpace(h.Hypothesis)))
        {
            return (null, "A hypothesis of the diagnosis is empty.");
        }

        return (answer with
        {
            Reasoning = answer.Reasoning ?? "",
            Hypotheses = answer.Hypotheses.Select(h => h with { CaseIds = h.CaseIds ?? [], Criterion = h.Criterion ?? "" }).ToList(),
        }, null);
    }

    public static (PlanAnswer? Value, string? Error) Plan(string text)
    {
        var (answer, error) = Read<PlanAnswer>(text, "plan");
        if (answer is null)
        {
            return (null, error);
        }

        if (answer.Changes is null || answer.Changes.Count == 0 || answer.Changes.All(string.IsNullOrWhiteSpace))
        {
            return (null, "The plan lists no changes; give at least one.");
        }

        return (answer with { Reasoning = answer.Reasoning ?? "", TargetCriteria = answer.TargetCriteria ?? [] }, null);
    }

    /// Only the shape is checked here: anchors and fields are the applier's to judge, and its errors go to the revise step.
    public static (EditsAnswer? Value, string? Error) Edits(string text)
    {
        var (answer, error) = Read<EditsAnswer>(text, "edits");
        if (answer is null)
        {
            return (null, error);
        }

        if (answer.Edits is null || answer.Edits.Count == 0 || answer.Edits.Any(e => e is null))
        {
            return (null, "The answer has no edits; give at least one.");
        }

        return (answer with { Edits = answer.Edits.Select(e => e with { Text = e.Text ?? "" }).ToList(), Note = answer.Note ?? "" }, null);
    }

    public static (CritiqueAnswer? Value, string? Error) Critique(string text)
    {
        var (answer, error) = Read<CritiqueAnswer>(text, "critique");
        return answer is null ? (null, error) : (answer with { Violations = answer.Violations?.Where(v => !string.IsNullOrWhiteSpace(v)).ToList() ?? [] }, null);
    }

    private static (T? Value, string? Error) Read<T>(string text, string what)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(text.Trim(), Json);
            return value is null ? (null, $"The {what} answer was null; reply with a JSON object.") : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The {what} answer was not valid JSON ({ex.Message.Split(" Path:")[0]}).");
        }
    }
}
