using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edison.Core.Checks;
using Edison.Core.Datasets;
using Edison.Core.Datasets.Import;
using Edison.Core.Experiments;

namespace Edison.Web.Pages.Experiments.Wizard;

/// Everything the wizard has collected, stored as JSON per person and project until the experiment is created.
/// API keys never enter it: a key typed on the Models step becomes a stored credential at once and only its id is kept.
public sealed partial class WizardDraft
{
    public const int MaxModels = 3;
    public const int MaxJudges = 3;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string? TemplateId { get; set; }

    public string Name { get; set; } = "";

    public string Goal { get; set; } = "";

    public decimal DraftBudgetUsd { get; set; } = 1m;

    public List<CriterionInput> Criteria { get; set; } = [CriterionInput.Blank()];

    public string SystemText { get; set; } = "";

    public string PromptTemplate { get; set; } = "";

    public string CasesText { get; set; } = "";

    public string CasesFormat { get; set; } = "jsonl";

    public Guid? CredentialId { get; set; }

    public List<string> Models { get; set; } = ["", "", ""];

    public List<JudgeInput> Judges { get; set; } = [new(), new()];

    public string RefinerModel { get; set; } = "";

    /// People's ratings join the version score as one more juror (off: shown beside the jury only).
    public bool HumanRatingsJoinScore { get; set; }

    public int MaxIterations { get; set; } = 5;

    public int Patience { get; set; } = 3;

    public decimal? BudgetUsd { get; set; } = 5m;

    public List<CheckSpec> Checks { get; set; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static WizardDraft FromJson(string json) => JsonSerializer.Deserialize<WizardDraft>(json, Json) ?? new WizardDraft();

    public ImportParse ParseCases() => DatasetFileParser.Parse(CasesText ?? "", CasesFormat == "csv" ? ImportFormat.Csv : ImportFormat.JsonLines, null);

    public Rubric ToRubric() => new(Criteria.Select(c => c.ToCriterion()).ToList());

    /// The experiment as drafted so far; empty parts stay empty so validation names them.
    public ExperimentDefinition ToDefinition()
    {
        var credential = CredentialId ?? Guid.Empty;
        var cases = string.IsNullOrWhiteSpace(CasesText) ? [] : ParseCases().Rows.Select(r => r.Case).ToList();
        return new ExperimentDefinition
        {
            Name = Name.Trim(),
            Goal = Goal.Trim(),
            Rubric = ToRubric(),
            PromptTemplate = PromptTemplate,
            SystemText = SystemText,
            Cases = cases,
            Models = Models.Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => new ModelConfigDraft(credential, m.Trim())).ToList(),
            Judges = Judges.Where(j => !string.IsNullOrWhiteSpace(j.Model))
                .Select(j => new JudgeConfigDraft(JudgeKinds.Pointwise, credential, j.Model.Trim()) { SystemPrompt = j.SystemPrompt ?? "" }).ToList(),
            Refiner = string.IsNullOrWhiteSpace(RefinerModel) ? new RefinerConfig() : new RefinerConfig { CredentialId = credential, Model = RefinerModel.Trim() },
            StopRules = new StopRules { MaxIterations = MaxIterations, Patience = Patience, BudgetUsd = BudgetUsd },
            Checks = Checks,
            HumanRatingsJoinScore = HumanRatingsJoinScore,
        };
    }

    public void ApplyTemplate(ExperimentTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        TemplateId = template.Id;
        Name = template.Title;
        Goal = template.Goal;
        Criteria = template.Rubric.Criteria.Select(CriterionInput.From).ToList();
        SystemText = template.SystemText;
        PromptTemplate = template.PromptTemplate;
        CasesFormat = "jsonl";
        CasesText = ToJsonLines(template.Cases);
        Checks = template.Checks.ToList();
    }

    /// Takes what "Draft the rest" wrote; the goal, anything the person chose on the Models step and a refiner model they typed stay as they are.
    public void ApplyDrafted(ExperimentDefinition drafted)
    {
        ArgumentNullException.ThrowIfNull(drafted);
        if (string.IsNullOrWhiteSpace(Name))
        {
            Name = drafted.Name;
        }

        Criteria = drafted.Rubric.Criteria.Select(CriterionInput.From).ToList();
        SystemText = drafted.SystemText;
        PromptTemplate = drafted.PromptTemplate;
        if (drafted.Cases.Count > 0)
        {
            CasesFormat = "jsonl";
            CasesText = ToJsonLines(drafted.Cases);
        }

        CredentialId ??= drafted.Models.Count > 0 ? drafted.Models[0].CredentialId : null;
        if (Models.All(string.IsNullOrWhiteSpace) && drafted.Models.Count > 0)
        {
            Models = [drafted.Models[0].Model, "", ""];
        }

        Judges = drafted.Judges.Select(j => new JudgeInput { Model = j.Model, SystemPrompt = j.SystemPrompt }).ToList();
        // A refiner the person typed stays; the drafted one names a model of the drafting credential, so it is only offered
        // when the experiment calls through that credential too.
        if (string.IsNullOrWhiteSpace(RefinerModel) && drafted.Refiner.Model is { } refiner && drafted.Refiner.CredentialId == CredentialId)
        {
            RefinerModel = refiner;
        }

        MaxIterations = drafted.StopRules.MaxIterations;
        Patience = drafted.StopRules.Patience;
        BudgetUsd = drafted.StopRules.BudgetUsd;
        Checks = drafted.Checks.ToList();
    }

    public static string ToJsonLines(IEnumerable<CaseInput> cases) => string.Join('\n', cases.Select(c => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["input"] = c.Variables,
        ["expected"] = c.ExpectedOutput,
        ["tags"] = c.Tags,
        ["difficulty"] = c.Difficulty,
    }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value), Json)));

    /// The step a free-text field is on, or null for a path the assist bar does not serve.
    public static int? StepOf(string path) => path switch
    {
        "Goal" => WizardSteps.Objective,
        "SystemText" or "PromptTemplate" => WizardSteps.SeedPrompt,
        "CasesText" => WizardSteps.TestData,
        _ when CriterionPath().IsMatch(path) => WizardSteps.Rubric,
        _ when JudgePath().IsMatch(path) => WizardSteps.Judges,
        _ => null,
    };

    public string? Get(string path)
    {
        switch (path)
        {
            case "Goal": return Goal;
            case "SystemText": return SystemText;
            case "PromptTemplate": return PromptTemplate;
            case "CasesText": return CasesText;
        }

        if (CriterionPath().Match(path) is { Success: true } c && Index(c, 1) is { } i && i < Criteria.Count)
        {
            return c.Groups[2].Value == "Description" ? Criteria[i].Description
                : Index(c, 3) is { } level && level < Criteria[i].Labels.Count ? Criteria[i].Labels[level] : null;
        }

        return JudgePath().Match(path) is { Success: true } j && Index(j, 1) is { } k && k < Judges.Count ? Judges[k].SystemPrompt : null;
    }

    public bool Set(string path, string text)
    {
        if (Get(path) is null)
        {
            return false;
        }

        switch (path)
        {
            case "Goal": Goal = text; return true;
            case "SystemText": SystemText = text; return true;
            case "PromptTemplate": PromptTemplate = text; return true;
            case "CasesText": CasesText = text; CasesFormat = text.TrimStart().StartsWith('{') ? "jsonl" : CasesFormat; return true;
        }

        if (CriterionPath().Match(path) is { Success: true } c)
        {
            var criterion = Criteria[Index(c, 1)!.Value];
            if (c.Groups[2].Value == "Description")
            {
                criterion.Description = text;
            }
            else
            {
                criterion.Labels[Index(c, 3)!.Value] = text;
            }

            return true;
        }

        Judges[Index(JudgePath().Match(path), 1)!.Value].SystemPrompt = text;
        return true;
    }

    private static int? Index(Match match, int group) =>
        match.Groups[group].Success && int.TryParse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    [GeneratedRegex(@"^Criteria\[(\d{1,2})\]\.(Description|Labels)(?:\[(\d)\])?$")]
    private static partial Regex CriterionPath();

    [GeneratedRegex(@"^Judges\[(\d)\]\.SystemPrompt$")]
    private static partial Regex JudgePath();
}
