using System.Globalization;
using Edison.Core.Experiments;

namespace Edison.Web.Pages.Experiments.Wizard;

/// Errors per field of one step, keyed by the form field they sit beside; the stored definition's own validation is the
/// source of truth, so the wizard says nothing different from what creating would refuse.
public static class WizardValidation
{
    public static Dictionary<string, List<string>> Validate(WizardDraft draft, int step)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        var definition = draft.ToDefinition();
        var stored = ExperimentDefinitionValidation.Validate(definition);
        void FromDefinition(string key, string field)
        {
            foreach (var message in stored.GetValueOrDefault(key) ?? [])
            {
                Add(field, message);
            }
        }

        switch (step)
        {
            case WizardSteps.Objective:
                FromDefinition("Name", "Name");
                FromDefinition("Goal", "Goal");
                break;
            case WizardSteps.Rubric:
                ValidateCriteria(draft, Add);
                break;
            case WizardSteps.SeedPrompt:
                FromDefinition("PromptTemplate", "PromptTemplate");
                break;
            case WizardSteps.TestData:
                ValidateCases(draft, Add);
                if (!errors.ContainsKey("CasesText"))
                {
                    FromDefinition("Cases", "CasesText");
                }

                break;
            case WizardSteps.Models:
                if (draft.CredentialId is null)
                {
                    Add("CredentialId", "Choose a credential, or enter an endpoint and key to add one.");
                }

                FromDefinition("Models", "Models");
                break;
            case WizardSteps.Judges:
                FromDefinition("Judges", "Judges");
                FromDefinition("Refiner", "RefinerModel");
                break;
            case WizardSteps.StopRules:
                FromDefinition("StopRules", "StopRules");
                FromDefinition("Checks", "Checks");
                if (draft.BudgetUsd is null)
                {
                    Add("BudgetUsd", "Set a budget: the loop stops before it would pass it.");
                }

                break;
        }

        return errors;
    }

    /// Every step's errors, for the review step.
    public static SortedDictionary<int, List<string>> ValidateAll(WizardDraft draft)
    {
        var all = new SortedDictionary<int, List<string>>();
        for (var step = WizardSteps.Objective; step <= WizardSteps.Authoring; step++)
        {
            var messages = Validate(draft, step).SelectMany(e => e.Value).Distinct(StringComparer.Ordinal).ToList();
            if (messages.Count > 0)
            {
                all[step] = messages;
            }
        }

        return all;
    }

    private static void ValidateCriteria(WizardDraft draft, Action<string, string> add)
    {
        for (var i = 0; i < draft.Criteria.Count; i++)
        {
            var c = draft.Criteria[i];
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                add($"Criteria[{i}].Name", "Name the criterion.");
            }

            if (string.IsNullOrWhiteSpace(c.Description))
            {
                add($"Criteria[{i}].Description", "Say what the judge checks for this criterion.");
            }

            if (c.Weight is <= 0 or > 1)
            {
                add($"Criteria[{i}].Weight", "The weight is a share of the score above 0 and at most 1, e.g. 0.4.");
            }

            for (var level = 0; level < c.Labels.Count; level++)
            {
                if (string.IsNullOrWhiteSpace(c.Labels[level]))
                {
                    add($"Criteria[{i}].Labels[{level}]", string.Create(CultureInfo.InvariantCulture,
                        $"Say what an answer scored {CriterionInput.ScaleMin + level} looks like."));
                }
            }
        }

        // What the per-field checks cannot see: the weights' sum, duplicate names, an empty rubric.
        var rubricErrors = new List<string>();
        ExperimentDefinitionValidation.ValidateRubric(draft.ToRubric(), rubricErrors.Add);
        foreach (var message in rubricErrors.Where(m => m.Contains("sum to 1", StringComparison.Ordinal) || m.StartsWith("Two criteria", StringComparison.Ordinal)
                     || m.StartsWith("Add at least", StringComparison.Ordinal)))
        {
            add("Criteria", message);
        }
    }

    private static void ValidateCases(WizardDraft draft, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(draft.CasesText))
        {
            add("CasesText", "Add at least one test case: paste JSON lines or CSV, or start from a template.");
            return;
        }

        var parsed = draft.ParseCases();
        if (parsed.FileError is { } fileError)
        {
            add("CasesText", fileError);
            return;
        }

        foreach (var error in parsed.Errors.Take(10))
        {
            add("CasesText", error.Column is null ? $"Row {error.Row}: {error.Message}" : $"Row {error.Row}, {error.Column}: {error.Message}");
        }

        if (parsed.Errors.Count > 10)
        {
            add("CasesText", $"…and {parsed.Errors.Count - 10} more rows with errors.");
        }
    }
}
