using System.Globalization;
using Edison.Core.Assist;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Pages.Experiments.Wizard;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Experiments;

/// The new-experiment wizard: seven authoring steps and a review, one step per request, the draft kept server-side per person.
[RequireProjectRole(ProjectRole.Editor)]
public sealed class NewModel(WizardDraftStore drafts, ExperimentService experiments, IterationService iterations, CredentialService credentials,
    AssistSettingsStore assistSettings, PriceService prices, AssistRuns runs) : PageModel
{
    [BindProperty]
    public WizardInput Input { get; set; } = new();

    public WizardDraft Draft { get; private set; } = new();

    public int Step { get; private set; } = WizardSteps.Objective;

    public Dictionary<string, List<string>> Errors { get; private set; } = new(StringComparer.Ordinal);

    public SortedDictionary<int, List<string>> ReviewErrors { get; private set; } = [];

    public IReadOnlyList<CredentialSummary> Credentials { get; private set; } = [];

    public AssistModelSetting? AssistModel { get; private set; }

    public ModelPrice? AssistPrice { get; private set; }

    public RunEstimate? Estimate { get; private set; }

    public string? Message { get; private set; }

    public AssistRun? Run { get; private set; }

    public AssistOutcome? Outcome { get; private set; }

    public IReadOnlyList<string>? ErrorsFor(string field) => Errors.TryGetValue(field, out var list) ? list : null;

    public bool HasErrors(string field) => Errors.ContainsKey(field);

    private Guid ProjectId => HttpContext.CurrentProject()!.ProjectId;

    private Guid UserId => User.UserId()!.Value;

    public async Task<IActionResult> OnGetAsync(int? step, CancellationToken cancellationToken)
    {
        var stored = await drafts.GetAsync(ProjectId, UserId, cancellationToken);
        Draft = stored is { } s ? WizardDraft.FromJson(s.Json) : new WizardDraft();
        return await ShowAsync(WizardSteps.Clamp(step ?? stored?.Step ?? WizardSteps.Objective), cancellationToken);
    }

    /// Back, Next, a step in the progress list, adding or removing a criterion, a template, or creating: the posted step is
    /// saved first, whatever the button, so nothing typed is lost; only moving forward is refused while the step has errors.
    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostStepAsync(string? nav, string? template, CancellationToken cancellationToken)
    {
        var (errors, current) = await MergeAsync(cancellationToken);
        var target = current;
        switch (nav ?? "")
        {
            case "next":
                Errors = Combine(errors, WizardValidation.Validate(Draft, current));
                target = Errors.Count == 0 ? current + 1 : current;
                break;
            case "back":
                target = current - 1;
                break;
            case var n when n.StartsWith("goto-", StringComparison.Ordinal)
                            && int.TryParse(n[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var chosen):
                target = chosen;
                break;
            case "add-criterion":
                Draft.Criteria.Add(CriterionInput.Blank());
                Draft.Criteria[^1].Weight = 0;
                Message = $"Criterion {Draft.Criteria.Count} added: name it and give it a share of the weight.";
                break;
            case var n when n.StartsWith("remove-criterion-", StringComparison.Ordinal)
                            && int.TryParse(n[17..], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < Draft.Criteria.Count:
                Draft.Criteria.RemoveAt(index);
                Message = "Criterion removed. Check that the weights still sum to 1.";
                break;
            case "template" when ExperimentTemplates.Find(template) is { } chosenTemplate:
                Draft.ApplyTemplate(chosenTemplate);
                Message = $"Filled every step from the \"{chosenTemplate.Title}\" template (version {chosenTemplate.Version}). Choose the models on step 5.";
                break;
            case "template":
                Errors["Template"] = ["Choose a template from the list."];
                break;
            case "start-over":
                Draft = new WizardDraft();
                target = WizardSteps.Objective;
                Message = "Started over with an empty experiment.";
                break;
            case "create" or "create-start":
                return await CreateAsync(nav == "create-start", cancellationToken);
        }

        target = WizardSteps.Clamp(target);
        await drafts.SaveAsync(HttpContext.Actor(), ProjectId, target, Draft.ToJson(), cancellationToken);
        if (!Request.IsHtmx() && Errors.Count == 0 && Message is null)
        {
            return RedirectToPage(new { step = target });
        }

        return await ShowAsync(target, cancellationToken);
    }

    /// Records an assist click and answers at once with the panel that streams its result (see AssistEventsEndpoint).
    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostAssistAsync(string? field, AssistMode mode, CancellationToken cancellationToken)
    {
        field ??= "";
        await MergeAsync(cancellationToken);
        await drafts.SaveAsync(HttpContext.Actor(), ProjectId, Step, Draft.ToJson(), cancellationToken);
        var current = Draft.Get(field);
        if (current is null)
        {
            return Panel(new AssistOutcome("", field) { Error = "That field has no AI assist." });
        }

        if (await AssistTargetAsync(cancellationToken) is not { } target)
        {
            return Panel(new AssistOutcome("", field) { Error = NoAssistModel });
        }

        if (mode != AssistMode.Draft && string.IsNullOrWhiteSpace(current))
        {
            return Panel(new AssistOutcome("", field) { Error = $"There is nothing to {mode.ToString().ToLowerInvariant()} yet: type a start, or use Draft." });
        }

        var kind = mode switch { AssistMode.Complete => AssistRun.Complete, AssistMode.Improve => AssistRun.Improve, _ => AssistRun.Draft };
        Run = new AssistRun(Guid.NewGuid(), ProjectId, UserId, kind, field, FieldKind(field), Draft.Goal, current, ContextFor(field), 0,
            target.CredentialId, target.Model);
        await runs.SaveAsync(Run);
        return Partial("Wizard/_AssistRun", this);
    }

    /// "Draft the rest": fills every later step from the goal within the stated budget, streamed like any assist.
    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostDraftRestAsync(CancellationToken cancellationToken)
    {
        var (errors, _) = await MergeAsync(cancellationToken);
        await drafts.SaveAsync(HttpContext.Actor(), ProjectId, WizardSteps.Objective, Draft.ToJson(), cancellationToken);
        var problem = errors.Count > 0 ? errors.First().Value[0]
            : string.IsNullOrWhiteSpace(Draft.Goal) ? "Write the goal first: everything else is drafted from it."
            : Draft.DraftBudgetUsd <= 0 ? "Give drafting a budget above $0."
            : null;
        if (problem is not null)
        {
            return Panel(new AssistOutcome(AssistRun.DraftRest, "Goal") { Error = problem });
        }

        if (await AssistTargetAsync(cancellationToken) is not { } target)
        {
            return Panel(new AssistOutcome(AssistRun.DraftRest, "Goal") { Error = NoAssistModel });
        }

        Run = new AssistRun(Guid.NewGuid(), ProjectId, UserId, AssistRun.DraftRest, "Goal", AssistField.Goal, Draft.Goal, Draft.Goal, "",
            Draft.DraftBudgetUsd, target.CredentialId, target.Model);
        await runs.SaveAsync(Run);
        return Partial("Wizard/_AssistRun", this);
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnGetAssistResultAsync(Guid assistId) =>
        Panel(await runs.OutcomeAsync(assistId, UserId) ?? new AssistOutcome("", "") { Error = "This assist result has expired; click the button again." });

    /// Puts an assist answer into its field and shows the field's step with it.
    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostUseAsync(string? field, string? text, CancellationToken cancellationToken)
    {
        field ??= "";
        await MergeAsync(cancellationToken);
        var step = WizardDraft.StepOf(field) ?? Input.Step;
        if (Draft.Set(field, text ?? ""))
        {
            Message = "The assist answer is in the field: edit it as you like.";
        }

        await drafts.SaveAsync(HttpContext.Actor(), ProjectId, step, Draft.ToJson(), cancellationToken);
        return await ShowAsync(step, cancellationToken);
    }

    public string AssistModelText => AssistModel is null ? "none chosen"
        : AssistPrice is { } p ? string.Create(CultureInfo.InvariantCulture, $"{AssistModel.Model} (${p.InputPerMtok:0.###} in / ${p.OutputPerMtok:0.###} out per million tokens)")
        : $"{AssistModel.Model} (no price in the price table)";

    private const string NoAssistModel = "No model answers AI assist in this project yet: an admin chooses one in Settings › Assist.";

    private async Task<(Dictionary<string, List<string>> Errors, int Step)> MergeAsync(CancellationToken cancellationToken)
    {
        var stored = await drafts.GetAsync(ProjectId, UserId, cancellationToken);
        Draft = stored is { } s ? WizardDraft.FromJson(s.Json) : new WizardDraft();
        var step = WizardSteps.Clamp(Input.Step);
        Step = step;
        var errors = Input.ApplyTo(Draft);
        foreach (var key in ModelState.Keys.Where(k => k.EndsWith(".Weight", StringComparison.Ordinal) && ModelState[k]!.Errors.Count > 0))
        {
            errors[key.Replace("Input.", "", StringComparison.Ordinal)] = ["Enter the weight as a number, e.g. 0.25."];
        }

        if (step == WizardSteps.Models && !string.IsNullOrWhiteSpace(Input.NewApiKey))
        {
            await AddCredentialAsync(errors, cancellationToken);
        }

        Errors = errors;
        return (errors, step);
    }

    private async Task AddCredentialAsync(Dictionary<string, List<string>> errors, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(Input.NewBaseUrl?.Trim(), UriKind.Absolute, out var baseUrl))
        {
            errors["NewBaseUrl"] = ["Enter the endpoint's base URL, e.g. https://api.openai.com/v1."];
            return;
        }

        var name = $"{baseUrl.Host} ({DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)})";
        CredentialChange change;
        try
        {
            change = await credentials.CreateAsync(HttpContext.Actor(), ProjectId, new CredentialDraft(name, ProviderKinds.OpenAICompatible,
                baseUrl.ToString(), Input.NewApiKey!.Trim()), cancellationToken);
        }
        catch (ProjectAccessDeniedException)
        {
            // Keys are an admin's to add (they spend the team's money); an editor picks one an admin stored.
            errors["NewApiKey"] = ["Only a project admin can add a provider key. Choose a stored credential above, or ask an admin to add one."];
            return;
        }

        if (change.Id is { } id)
        {
            Draft.CredentialId = id;
            Message = $"Added the credential \"{name}\"; its key is stored encrypted and never shown again.";
        }
        else
        {
            errors["NewBaseUrl"] = [change.Error ?? "The credential was not added."];
        }
    }

    private async Task<IActionResult> CreateAsync(bool start, CancellationToken cancellationToken)
    {
        ReviewErrors = WizardValidation.ValidateAll(Draft);
        if (ReviewErrors.Count == 0)
        {
            var (id, errors) = await experiments.CreateAsync(HttpContext.Actor(), ProjectId, Draft.ToDefinition(), cancellationToken);
            if (id is { } experimentId)
            {
                await drafts.DeleteAsync(HttpContext.Actor(), ProjectId, cancellationToken);
                var url = Url.Page("/Experiments/Details", new { id = experimentId })!;
                if (start)
                {
                    var started = await iterations.StartAsync(HttpContext.Actor(), experimentId, cancellationToken);
                    url = started.IterationId is { } iterationId ? Url.Page("/Iterations/Details", new { id = iterationId })! : url;
                }

                if (Request.IsHtmx())
                {
                    Response.Htmx(h => h.Redirect(url));
                    return new OkResult();
                }

                return Redirect(url);
            }

            foreach (var (key, messages) in errors)
            {
                ReviewErrors.TryAdd(WizardSteps.OfDefinitionKey(key), []);
                ReviewErrors[WizardSteps.OfDefinitionKey(key)].AddRange(messages);
            }
        }

        await drafts.SaveAsync(HttpContext.Actor(), ProjectId, WizardSteps.Review, Draft.ToJson(), cancellationToken);
        return await ShowAsync(WizardSteps.Review, cancellationToken, validated: true);
    }

    private async Task<IActionResult> ShowAsync(int step, CancellationToken cancellationToken, bool validated = false)
    {
        Step = step;
        AssistModel = await assistSettings.GetAsync(ProjectId, cancellationToken);
        if (AssistModel is not null)
        {
            AssistPrice = (await prices.ListAsync(cancellationToken)).FirstOrDefault(p => string.Equals(p.Model, AssistModel.Model, StringComparison.OrdinalIgnoreCase));
        }

        if (step is WizardSteps.Models or WizardSteps.Review)
        {
            Credentials = (await credentials.ListAsync(ProjectId, cancellationToken)).Where(c => !c.IsDisabled).ToList();
        }

        if (step == WizardSteps.Review)
        {
            if (!validated)
            {
                ReviewErrors = WizardValidation.ValidateAll(Draft);
            }

            Estimate = await iterations.EstimateAsync(Draft.ToDefinition(), cancellationToken);
        }

        if (Request.IsHtmx())
        {
            Response.Htmx(h => h.PushUrl(Url.Page("/Experiments/New", new { step })!));
            return Partial("Wizard/_Wizard", this);
        }

        return Page();
    }

    private PartialViewResult Panel(AssistOutcome outcome)
    {
        Outcome = outcome;
        return Partial("Wizard/_AssistResult", this);
    }

    private async Task<AssistModelSetting?> AssistTargetAsync(CancellationToken cancellationToken) =>
        await assistSettings.GetAsync(ProjectId, cancellationToken);

    private static AssistField FieldKind(string field) => field switch
    {
        "Goal" => AssistField.Goal,
        "SystemText" => AssistField.SystemText,
        "PromptTemplate" => AssistField.SeedPrompt,
        "CasesText" => AssistField.TestCases,
        _ when field.StartsWith("Judges", StringComparison.Ordinal) => AssistField.JudgePrompt,
        _ => AssistField.Rubric,
    };

    /// What else the model needs to write this field well: the criterion being labelled, the prompt the cases feed, the rubric a judge applies.
    private string ContextFor(string field)
    {
        var rubric = string.Join("\n", Draft.Criteria.Select(c => $"- {c.Name}: {c.Description}"));
        return field switch
        {
            "Goal" => "",
            "SystemText" or "PromptTemplate" => $"Rubric:\n{rubric}",
            "CasesText" => $"Prompt template (each case gives its variables):\n{Draft.PromptTemplate}",
            _ when field.StartsWith("Judges", StringComparison.Ordinal) => $"Rubric:\n{rubric}",
            _ => $"Rubric:\n{rubric}\n\nWrite only the text of: {Describe(field)}",
        };
    }

    private static string Describe(string field) => field.Contains(".Labels[", StringComparison.Ordinal)
        ? $"the label of score {int.Parse(field[^2..^1], CultureInfo.InvariantCulture) + CriterionInput.ScaleMin} for criterion {int.Parse(field[9..field.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture) + 1}"
        : $"the description of criterion {int.Parse(field[9..field.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture) + 1}";

    private static Dictionary<string, List<string>> Combine(Dictionary<string, List<string>> first, Dictionary<string, List<string>> second)
    {
        foreach (var (key, messages) in second)
        {
            first.TryAdd(key, []);
            first[key].AddRange(messages);
        }

        return first;
    }
}
