using System.Globalization;
using System.Text.Json;
using Edison.Core.Checks;
using Edison.Core.Prompts;

namespace Edison.Core.Experiments;

/// <summary>Checks a whole experiment definition and says, in words, what to fix and where.</summary>
public static class ExperimentDefinitionValidation
{
    private static readonly string[] Aggregations = ["mean", "median", "trimmed_mean"];

    /// <summary>Errors keyed by the definition's property name; empty when the definition is valid.</summary>
    public static IReadOnlyDictionary<string, List<string>> Validate(ExperimentDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (string.IsNullOrWhiteSpace(definition.Name))
        {
            Add(nameof(definition.Name), "Give the experiment a name.");
        }

        if (string.IsNullOrWhiteSpace(definition.Goal))
        {
            Add(nameof(definition.Goal), "Say what the prompt must achieve; judges score against it.");
        }

        ValidateRubric(definition.Rubric, m => Add(nameof(definition.Rubric), m));

        PromptTemplate? template = null;
        if (string.IsNullOrWhiteSpace(definition.PromptTemplate))
        {
            Add(nameof(definition.PromptTemplate), "Write the prompt; use {{ variable }} where a test case's value goes.");
        }
        else if (!PromptTemplate.TryParseForSave(definition.PromptTemplate, out template, out var templateError))
        {
            Add(nameof(definition.PromptTemplate), templateError!);
        }

        if (definition.Cases.Count == 0)
        {
            Add(nameof(definition.Cases), "Add at least one test case.");
        }
        else if (template is not null)
        {
            foreach (var (number, missing) in definition.Cases.Select((c, i) => (i + 1, template.MissingVariables(c.Variables)))
                         .Where(x => x.Item2.Count > 0).Take(10))
            {
                Add(nameof(definition.Cases), $"Case {number} has no value for {string.Join(", ", missing.Select(v => "{{ " + v + " }}"))}.");
            }

            // A bounded sample of cases is rendered under the template limits, so a loop driven by a case's value is refused here.
            foreach (var (number, renderError) in definition.Cases.Take(PromptTemplate.SaveCheckCases)
                         .Select((c, i) => (i + 1, template.TryRender(c.Variables, out _, out var e) ? null : e)).Where(x => x.Item2 is not null).Take(3))
            {
                Add(nameof(definition.PromptTemplate), $"Case {number}: {renderError}");
            }
        }

        if (definition.Models.Count == 0)
        {
            Add(nameof(definition.Models), "Choose at least one model to test.");
        }

        foreach (var (model, i) in definition.Models.Select((m, i) => (m, i + 1)))
        {
            if (string.IsNullOrWhiteSpace(model.Model))
            {
                Add(nameof(definition.Models), $"Model {i}: name the model.");
            }

            if (model.SamplesPerCase is < 1 or > 20)
            {
                Add(nameof(definition.Models), $"Model {i}: samples per case must be between 1 and 20.");
            }

            if (!IsJsonObject(model.ParametersJson))
            {
                Add(nameof(definition.Models), $"Model {i}: parameters must be a JSON object, e.g. {{\"temperature\": 0.2}}.");
            }
        }

        if (!definition.Judges.Any(j => j.Kind == JudgeKinds.Pointwise))
        {
            Add(nameof(definition.Judges), "Add at least one pointwise judge: it scores the rubric and suggests fixes.");
        }

        foreach (var (judge, i) in definition.Judges.Select((j, i) => (j, i + 1)))
        {
            if (judge.Kind is not (JudgeKinds.Pointwise or JudgeKinds.Pairwise))
            {
                Add(nameof(definition.Judges), $"Judge {i}: kind must be pointwise or pairwise, not '{judge.Kind}'.");
            }

            if (string.IsNullOrWhiteSpace(judge.Model))
            {
                Add(nameof(definition.Judges), $"Judge {i}: name the judge's model.");
            }
        }

        if (definition.Refiner.CredentialId is not null && string.IsNullOrWhiteSpace(definition.Refiner.Model))
        {
            Add(nameof(definition.Refiner), "Name the refiner's model.");
        }

        if (definition.Refiner.MaxChangeFraction is <= 0 or > 5)
        {
            Add(nameof(definition.Refiner), "The edit size limit must be above 0 and at most 5 (500% of the prompt).");
        }

        foreach (var error in CheckSpecValidation.Validate(definition.Checks))
        {
            Add(nameof(definition.Checks), error);
        }

        var rules = definition.StopRules;
        if (rules.MaxIterations is < 1 or > 100)
        {
            Add(nameof(definition.StopRules), "Max iterations must be between 1 and 100.");
        }

        if (rules.Alpha is <= 0 or >= 1)
        {
            Add(nameof(definition.StopRules), "The significance level must be between 0 and 1, e.g. 0.05.");
        }

        if (rules.MinEffect is < 0 or >= 1)
        {
            Add(nameof(definition.StopRules), "The minimum effect is a fraction of the scale range, between 0 and 1, e.g. 0.02.");
        }

        if (rules.Patience < 1)
        {
            Add(nameof(definition.StopRules), "Patience must be at least 1 iteration.");
        }

        if (rules.BudgetUsd is < 0)
        {
            Add(nameof(definition.StopRules), "The budget cannot be negative.");
        }

        if (rules.MaxTokens is < 1)
        {
            Add(nameof(definition.StopRules), "Max tokens must be positive.");
        }

        if (!ReviewModes.All.Contains(definition.ReviewMode))
        {
            Add(nameof(definition.ReviewMode), $"Review mode must be one of {string.Join(", ", ReviewModes.All)}.");
        }

        if (!Aggregations.Contains(definition.JuryAggregation))
        {
            Add(nameof(definition.JuryAggregation), "The jury combines scores by mean, median or trimmed_mean.");
        }

        return errors;
    }

    /// <summary>Checks weights sum to 1, scales are integer ranges and every level has a label.</summary>
    public static void ValidateRubric(Rubric? rubric, Action<string> add)
    {
        ArgumentNullException.ThrowIfNull(add);
        if (rubric is null || rubric.Criteria.Count == 0)
        {
            add("Add at least one rubric criterion.");
            return;
        }

        // A JSON or YAML body can hold null where a criterion or its labels belong: answered in words, never a crash.
        if (rubric.Criteria.Any(c => c is null || c.Labels is null || c.Name is null))
        {
            add("Every criterion needs a name, a scale and labels.");
            return;
        }

        foreach (var c in rubric.Criteria)
        {
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                add("Every criterion needs a name.");
            }

            if (c.ScaleMin >= c.ScaleMax)
            {
                add($"Criterion '{c.Name}': the scale's lowest level must be below its highest.");
            }
            else if ((long)c.ScaleMax - c.ScaleMin > 100)
            {
                add($"Criterion '{c.Name}': a scale has at most 101 levels.");
            }
            else
            {
                var unlabelled = Enumerable.Range(c.ScaleMin, c.ScaleMax - c.ScaleMin + 1).Where(l => !c.Labels.ContainsKey(l)).ToList();
                if (unlabelled.Count > 0)
                {
                    add($"Criterion '{c.Name}': give every level a label (missing {string.Join(", ", unlabelled)}).");
                }
            }

            if (c.Weight <= 0)
            {
                add($"Criterion '{c.Name}': the weight must be above 0.");
            }
        }

        var duplicates = rubric.Criteria.GroupBy(c => c.Name.Trim(), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key);
        foreach (var name in duplicates)
        {
            add($"Two criteria are named '{name}'.");
        }

        var sum = rubric.Criteria.Sum(c => c.Weight);
        if (Math.Abs(sum - 1) > 0.001)
        {
            add(string.Create(CultureInfo.InvariantCulture, $"The criteria's weights must sum to 1; they sum to {sum:0.###}."));
        }
    }

    private static bool IsJsonObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
