using System.Reflection;
using System.Text.Json;
using Edison.Core.Checks;
using Edison.Core.Prompts;

namespace Edison.Core.Experiments;

/// <summary>
/// Loads the experiment templates embedded from Experiments/Templates/*.json and validates each one; a broken template
/// fails on first use with every problem named, never half-loads.
/// </summary>
public static class ExperimentTemplates
{
    /// <summary>
    /// The fewest test cases a template may ship: 40, so the exact 60/20/20 split leaves 8 validation cases and the sign-flip
    /// test can show a change significant (fewer than 6 never can at α = 0.05).
    /// </summary>
    public const int MinCases = 40;

    private const string ResourcePrefix = "Edison.Core.Experiments.Templates.";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip };
    private static readonly Lazy<List<ExperimentTemplate>> Loaded = new(LoadEmbedded);

    /// <summary>Every embedded template, ordered by title.</summary>
    public static IReadOnlyList<ExperimentTemplate> All => Loaded.Value;

    /// <summary>The template with <paramref name="id"/>, or null.</summary>
    public static ExperimentTemplate? Find(string? id) => All.FirstOrDefault(t => string.Equals(t.Id, id, StringComparison.Ordinal));

    /// <summary>Parses one template file; <paramref name="id"/> is the file name without ".json".</summary>
    public static (ExperimentTemplate? Template, IReadOnlyList<string> Errors) Parse(string id, string json)
    {
        ExperimentTemplate? template;
        try
        {
            template = JsonSerializer.Deserialize<ExperimentTemplate>(json, Json);
        }
        catch (JsonException ex)
        {
            return (null, [$"{id}: not a valid template file: {ex.Message}"]);
        }

        if (template is null)
        {
            return (null, [$"{id}: the file is empty."]);
        }

        var errors = Validate(template).Select(e => $"{id}: {e}").ToList();
        if (!string.Equals(template.Id, id, StringComparison.Ordinal))
        {
            errors.Insert(0, $"{id}: the id '{template.Id}' must equal the file name.");
        }

        return errors.Count > 0 ? (null, errors) : (template, errors);
    }

    /// <summary>What is wrong with a template, in words; empty when it is usable.</summary>
    public static IReadOnlyList<string> Validate(ExperimentTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var errors = new List<string>();
        if (template.Version < 1)
        {
            errors.Add("The version must be 1 or more.");
        }

        if (string.IsNullOrWhiteSpace(template.Title) || string.IsNullOrWhiteSpace(template.Goal))
        {
            errors.Add("A template needs a title and a goal.");
        }

        ExperimentDefinitionValidation.ValidateRubric(template.Rubric, errors.Add);
        if (!PromptTemplate.TryParse(template.PromptTemplate ?? "", out var prompt, out var promptError))
        {
            errors.Add($"The prompt template does not parse: {promptError}");
        }
        else if (prompt!.Variables.Count == 0)
        {
            errors.Add("The prompt template uses no {{ variable }}.");
        }

        var cases = template.Cases ?? [];
        if (cases.Count < MinCases)
        {
            errors.Add($"A template needs at least {MinCases} test cases; it has {cases.Count}.");
        }

        foreach (var (c, number) in cases.Select((c, i) => (c, i + 1)))
        {
            if (c.Tags is not { Count: > 0 })
            {
                errors.Add($"Case {number} has no tag.");
            }

            if (prompt is not null && prompt.MissingVariables(c.Variables) is { Count: > 0 } missing)
            {
                errors.Add($"Case {number} has no value for {string.Join(", ", missing)}.");
            }
        }

        if (template.Checks is not { Count: > 0 })
        {
            errors.Add("Suggest at least one deterministic check.");
        }
        else
        {
            errors.AddRange(CheckSpecValidation.Validate(template.Checks));
        }

        return errors;
    }

    private static List<ExperimentTemplate> LoadEmbedded()
    {
        var assembly = typeof(ExperimentTemplates).Assembly;
        var templates = new List<ExperimentTemplate>();
        var errors = new List<string>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                     && n.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var (template, problems) = Parse(name[ResourcePrefix.Length..^".json".Length], Read(assembly, name));
            errors.AddRange(problems);
            if (template is not null)
            {
                templates.Add(template);
            }
        }

        return errors.Count > 0
            ? throw new InvalidOperationException("Broken experiment templates: " + string.Join(" ", errors))
            : templates.OrderBy(t => t.Title, StringComparer.Ordinal).ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
