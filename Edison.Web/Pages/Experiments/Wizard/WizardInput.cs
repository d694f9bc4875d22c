using System.Globalization;

namespace Edison.Web.Pages.Experiments.Wizard;

/// The fields one step's form posts. Only the posted step's fields are applied, so an empty box clears its field and the
/// other steps' values stay as they were.
public sealed class WizardInput
{
    public int Step { get; set; } = WizardSteps.Objective;

    public string? Name { get; set; }

    public string? Goal { get; set; }

    public string? DraftBudgetUsd { get; set; }

    public List<CriterionInput>? Criteria { get; set; }

    public string? SystemText { get; set; }

    public string? PromptTemplate { get; set; }

    public string? CasesText { get; set; }

    public string? CasesFormat { get; set; }

    public Guid? CredentialId { get; set; }

    public string? NewBaseUrl { get; set; }

    public string? NewApiKey { get; set; }

    public List<string?>? Models { get; set; }

    public List<JudgeInput>? Judges { get; set; }

    public string? RefinerModel { get; set; }

    public bool? HumanRatingsJoinScore { get; set; }

    public string? MaxIterations { get; set; }

    public string? Patience { get; set; }

    public string? BudgetUsd { get; set; }

    public List<int>? KeepChecks { get; set; }

    /// Copies the posted step's fields into the draft; numbers that do not parse are reported beside their field.
    public Dictionary<string, List<string>> ApplyTo(WizardDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        switch (Step)
        {
            case WizardSteps.Objective:
                draft.Name = Name ?? "";
                draft.Goal = Goal ?? "";
                if (Money(DraftBudgetUsd) is { } budget)
                {
                    draft.DraftBudgetUsd = budget;
                }

                break;
            case WizardSteps.Rubric:
                draft.Criteria = (Criteria ?? []).Select(c => new CriterionInput
                {
                    Name = c.Name ?? "",
                    Description = c.Description ?? "",
                    Weight = c.Weight,
                    Labels = Enumerable.Range(0, CriterionInput.ScaleMax - CriterionInput.ScaleMin + 1).Select(i => c.Labels.ElementAtOrDefault(i) ?? "").ToList(),
                }).ToList();
                break;
            case WizardSteps.SeedPrompt:
                draft.SystemText = SystemText ?? "";
                draft.PromptTemplate = PromptTemplate ?? "";
                break;
            case WizardSteps.TestData:
                draft.CasesText = CasesText ?? "";
                draft.CasesFormat = CasesFormat == "csv" ? "csv" : "jsonl";
                break;
            case WizardSteps.Models:
                draft.CredentialId = CredentialId;
                draft.Models = Enumerable.Range(0, WizardDraft.MaxModels).Select(i => Models?.ElementAtOrDefault(i)?.Trim() ?? "").ToList();
                break;
            case WizardSteps.Judges:
                draft.Judges = (Judges ?? []).Take(WizardDraft.MaxJudges)
                    .Select(j => new JudgeInput { Model = j.Model?.Trim() ?? "", SystemPrompt = j.SystemPrompt ?? "" }).ToList();
                draft.RefinerModel = RefinerModel?.Trim() ?? "";
                draft.HumanRatingsJoinScore = HumanRatingsJoinScore == true;
                break;
            case WizardSteps.StopRules:
                Whole(MaxIterations, "MaxIterations", v => draft.MaxIterations = v, errors);
                Whole(Patience, "Patience", v => draft.Patience = v, errors);
                if (string.IsNullOrWhiteSpace(BudgetUsd))
                {
                    draft.BudgetUsd = null;
                }
                else if (Money(BudgetUsd) is { } limit)
                {
                    draft.BudgetUsd = limit;
                }
                else
                {
                    errors["BudgetUsd"] = ["Enter the budget in US dollars, e.g. 5 or 2.50."];
                }

                var keep = KeepChecks ?? [];
                draft.Checks = draft.Checks.Where((_, i) => keep.Contains(i)).ToList();
                break;
        }

        return errors;
    }

    private static decimal? Money(string? text) =>
        decimal.TryParse(text?.Trim().TrimStart('$'), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static void Whole(string? text, string field, Action<int> set, Dictionary<string, List<string>> errors)
    {
        if (int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            set(value);
        }
        else
        {
            errors[field] = ["Enter a whole number."];
        }
    }
}
