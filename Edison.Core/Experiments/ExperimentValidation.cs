using Edison.Core.Datasets;
using Edison.Core.Prompts;

namespace Edison.Core.Experiments;

/// <summary>Checks a draft and explains every problem beside the field it concerns.</summary>
public static class ExperimentValidation
{
    /// <summary>Returns errors keyed by the draft's property name; empty when the draft is valid.</summary>
    public static IReadOnlyDictionary<string, List<string>> Validate(ExperimentDraft draft, out IReadOnlyList<CaseInput> cases)
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

        Required(draft.Name, nameof(draft.Name), "Give the experiment a name.", 200);
        Required(draft.Goal, nameof(draft.Goal), "Say what the prompt must achieve; the judge scores against it.", 4000);
        Required(draft.CriterionName, nameof(draft.CriterionName), "Name the criterion the judge scores.", 100);
        Required(draft.CriterionDescription, nameof(draft.CriterionDescription), "Describe what a good answer does for this criterion.", 2000);
        Required(draft.Model, nameof(draft.Model), "Name the model to test, e.g. gpt-4o-mini.", 200);
        Required(draft.JudgeModel, nameof(draft.JudgeModel), "Name the judge's model, e.g. gpt-4o.", 200);
        if (draft.SystemText.Length > 20_000)
        {
            Add(nameof(draft.SystemText), "The system text is longer than 20,000 characters.");
        }

        if (draft.CredentialId is not null)
        {
            // An existing credential: its address was checked when an admin created it.
        }
        else if (!Uri.TryCreate(draft.BaseUrl.Trim(), UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            Add(nameof(draft.BaseUrl), "Enter the endpoint's full http(s) address, e.g. https://api.openai.com/v1.");
        }
        else if (Security.OutboundPolicy.Refusal(baseUrl, allowPrivate: true) is { } refused)
        {
            Add(nameof(draft.BaseUrl), $"This address cannot be used: {refused}");
        }

        if (draft.ApiKey.Length > 1000)
        {
            Add(nameof(draft.ApiKey), "That API key is longer than any provider issues.");
        }

        PromptTemplate? template = null;
        if (string.IsNullOrWhiteSpace(draft.PromptTemplate))
        {
            Add(nameof(draft.PromptTemplate), "Write the prompt; use {{ variable }} where a test case's value goes.");
        }
        else if (!Prompts.PromptTemplate.TryParseForSave(draft.PromptTemplate, out template, out var templateError))
        {
            Add(nameof(draft.PromptTemplate), templateError!);
        }

        var (parsed, parseErrors) = JsonLinesCaseParser.Parse(draft.CasesJsonl);
        cases = parsed;
        foreach (var error in parseErrors.Take(10))
        {
            Add(nameof(draft.CasesJsonl), $"Line {error.Line}: {error.Message}");
        }

        if (parseErrors.Count > 10)
        {
            Add(nameof(draft.CasesJsonl), $"…and {parseErrors.Count - 10} more lines with errors.");
        }

        if (parseErrors.Count == 0 && parsed.Count == 0)
        {
            Add(nameof(draft.CasesJsonl), "Add at least one test case, one JSON object per line.");
        }

        if (template is not null && parseErrors.Count == 0)
        {
            var missing = parsed.Select((c, i) => (Line: i + 1, Missing: template.MissingVariables(c.Variables)))
                .Where(x => x.Missing.Count > 0).ToList();
            foreach (var (line, vars) in missing.Take(10))
            {
                Add(nameof(draft.CasesJsonl), $"Case {line} has no value for {string.Join(", ", vars.Select(v => "{{ " + v + " }}"))}.");
            }

            foreach (var (line, renderError) in parsed.Take(Prompts.PromptTemplate.SaveCheckCases)
                         .Select((c, i) => (i + 1, template.TryRender(c.Variables, out _, out var e) ? null : e)).Where(x => x.Item2 is not null).Take(3))
            {
                Add(nameof(draft.PromptTemplate), $"Case {line}: {renderError}");
            }
        }

        return errors;

        void Required(string value, string field, string message, int max)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Add(field, message);
            }
            else if (value.Length > max)
            {
                Add(field, $"Keep this under {max:N0} characters.");
            }
        }
    }
}
