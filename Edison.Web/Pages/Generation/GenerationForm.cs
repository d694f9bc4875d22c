using System.Globalization;
using Edison.Core.Generation;

namespace Edison.Web.Pages.Generation;

/// The generation form's fields as typed; lists are one item per line (personas, scenarios) or comma-separated.
public sealed class GenerationForm
{
    public string Goal { get; set; } = "";

    public string Variables { get; set; } = "";

    public int Count { get; set; } = 20;

    public string? Personas { get; set; }

    public string? Scenarios { get; set; }

    public bool EdgeCases { get; set; } = true;

    public string? Difficulty { get; set; }

    public bool ExpectedOutputs { get; set; }

    public string? Tags { get; set; }

    public double DiversityTarget { get; set; } = 0.7;

    public decimal? BudgetUsd { get; set; }

    public Guid? CredentialId { get; set; }

    public string? Model { get; set; }

    public static GenerationForm From(GenerationDefaults d) => new()
    {
        Goal = d.Goal,
        Variables = string.Join(", ", d.Variables),
        CredentialId = d.CredentialId,
        Model = d.Model,
    };

    /// The request, or the errors by field.
    public (GenerationRequest? Request, Dictionary<string, List<string>> Errors) ToRequest(Guid projectId, GenerationDefaults? defaults)
    {
        var errors = new Dictionary<string, List<string>>();
        void Fail(string field, string message) => errors[field] = [message];
        var variables = Split(Variables, ',');
        if (string.IsNullOrWhiteSpace(Goal))
        {
            Fail(nameof(Goal), "Say what the prompt under test must achieve: the cases are written for it.");
        }

        if (variables.Count == 0)
        {
            Fail(nameof(Variables), "Name at least one template variable the cases fill, e.g. question.");
        }

        if (Count is < 1 or > 1000)
        {
            Fail(nameof(Count), "Ask for 1 to 1,000 cases.");
        }

        if (DiversityTarget is < 0 or > 1)
        {
            Fail(nameof(DiversityTarget), "The diversity target is between 0 (anything) and 1 (no shared phrasing at all).");
        }

        if (BudgetUsd is < 0)
        {
            Fail(nameof(BudgetUsd), "The budget is a positive amount in USD, or empty for none.");
        }

        if (CredentialId is null)
        {
            Fail(nameof(CredentialId), "Choose the credential of the model that writes the cases.");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            Fail(nameof(Model), "Name the model that writes the cases.");
        }

        var difficulty = string.IsNullOrWhiteSpace(Difficulty) ? null : Difficulty;
        if (difficulty is not null and not ("easy" or "medium" or "hard"))
        {
            Fail(nameof(Difficulty), "Difficulty is a mix, easy, medium or hard.");
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new GenerationRequest
        {
            ProjectId = projectId,
            ExperimentId = defaults?.ExperimentId,
            DatasetId = defaults?.DatasetId,
            CredentialId = CredentialId!.Value,
            Model = Model!.Trim(),
            Goal = Goal.Trim(),
            Variables = variables,
            Count = Count,
            Personas = Split(Personas, '\n'),
            Scenarios = Split(Scenarios, '\n'),
            IncludeEdgeCases = EdgeCases,
            Difficulty = difficulty,
            WithExpectedOutputs = ExpectedOutputs,
            Tags = Split(Tags, ',').Select(t => t.ToLowerInvariant()).ToList(),
            DiversityTarget = DiversityTarget,
            BudgetUsd = BudgetUsd,
            Examples = defaults?.Examples ?? [],
        }, errors);
    }

    public string DiversityText => DiversityTarget.ToString("0.00", CultureInfo.InvariantCulture);

    private static List<string> Split(string? text, char separator) =>
        (text ?? "").Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
}
