using System.Globalization;
using System.Text.Json;
using DiffPlex;
using DiffPlex.Renderer;
using Edison.Core.Checks;
using Edison.Core.Datasets;
using Edison.Core.Experiments;
using Edison.Core.Generation;
using Edison.Core.Llm;
using Edison.Core.Llm.Structured;
using Edison.Core.Persistence;
using Edison.Core.Security;
using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;
using Microsoft.Extensions.AI;

namespace Edison.Core.Assist;

/// <summary>
/// AI assist for every authoring field: Draft (three options), Complete and Improve (a diff with reasons), streamed or
/// structured; rubric and deterministic-check suggestions; the seed-prompt generator; and "Draft the rest" from a goal.
/// Every call goes through the gateway (or, when streamed, the streamer), so each one is an llm_calls row with its cost.
/// </summary>
public sealed class AssistService
{
    /// <summary>The version of the seed-prompt meta-prompt in use (the embedded file SeedPromptMetaPrompt.{version}.md).</summary>
    public const string SeedPromptMetaPromptVersion = "v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly StructuredCall<AssistOptionsAnswer> OptionsCall = StructuredCalls.AssistOptions();
    private static readonly StructuredCall<ImproveAnswer> ImproveCall = StructuredCalls.AssistImprove();
    private static readonly StructuredCall<RubricAnswer> RubricCall = StructuredCalls.Rubric();
    private static readonly UnidiffRenderer Diff = new(Differ.Instance, 2);
    private static readonly Lazy<string> MetaPrompt = new(() => ReadResource($"SeedPromptMetaPrompt.{SeedPromptMetaPromptVersion}.md"));
    private readonly LlmGateway _gateway;
    private readonly AssistStreamer _streamer;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ProjectAccess _access;

    /// <summary>
    /// The test cases "Draft the rest" asks for: 40, so the 60/20/20 split leaves 8 validation cases, enough for the exact
    /// sign-flip test to reach p &lt; 0.05 (6 would be the least).
    /// </summary>
    public const int DraftCases = 40;

    internal AssistService(LlmGateway gateway, AssistStreamer streamer, NpgsqlDataSource dataSource, ProjectAccess access)
    {
        _access = access;
        _gateway = gateway;
        _streamer = streamer;
        _dataSource = dataSource;
    }

    /// <summary>The seed-prompt meta-prompt text of <see cref="SeedPromptMetaPromptVersion"/>.</summary>
    public static string SeedPromptMetaPromptText => MetaPrompt.Value;

    // Assist calls spend the project's money, so they need an editor, and the audit log records each one (what was asked of
    // which model, never the text).
    private async Task AuthorizeAsync(Actor actor, AssistTarget target, string action, object? details, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await _access.EnsureRoleAsync(actor, target.ProjectId, ProjectRole.Editor, cancellationToken);
        await _access.EnsureInProjectAsync(ResourceKinds.Credential, target.CredentialId, target.ProjectId, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await AuditLog.WriteAsync(connection, null, actor, target.ProjectId, action, "provider_credential", target.CredentialId, null,
            new { target.Model, details }, cancellationToken);
    }

    /// <summary>Streams a draft, a completion (only the continuation) or an improved text, chunk by chunk.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async IAsyncEnumerable<string> StreamAsync(Actor actor, AssistRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await AuthorizeAsync(actor, request.Target, "assist.stream", new { mode = request.Mode.ToString(), field = request.Field.ToString() },
            cancellationToken);
        await foreach (var chunk in _streamer.StreamAsync(Spec(request.Target, $"assist:{request.Mode}:{request.Field}".ToLowerInvariant()),
            Messages(request, structured: false), new ChatOptions { Temperature = 0.7f }, cancellationToken))
        {
            yield return chunk;
        }
    }

    /// <summary>Three distinct drafts of the field.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<AssistDrafts> DraftAsync(Actor actor, AssistRequest request, CancellationToken cancellationToken) =>
        DraftAsync(actor, request, null, cancellationToken);

    /// <summary>
    /// Three distinct drafts of the field; while the answer streams in, <paramref name="onPreview"/> receives the readable text
    /// of the options written so far (see <see cref="JsonTextPreview"/>), piece by piece.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<AssistDrafts> DraftAsync(Actor actor, AssistRequest request, Func<string, CancellationToken, ValueTask>? onPreview,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await AuthorizeAsync(actor, request.Target, "assist.draft", new { field = request.Field.ToString() }, cancellationToken);
        var result = await StructuredAsync(Spec(request.Target, $"assist:draft:{request.Field}".ToLowerInvariant()),
            Messages(request with { Mode = AssistMode.Draft }, structured: true), OptionsCall, new ChatOptions { Temperature = 0.9f },
            onPreview, cancellationToken);
        return new AssistDrafts(result.Value?.Options ?? [], result.Error);
    }

    /// <summary>An improved text as a unified diff against the current one, with the model's reasons.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public Task<AssistImprovement> ImproveAsync(Actor actor, AssistRequest request, CancellationToken cancellationToken) =>
        ImproveAsync(actor, request, null, cancellationToken);

    /// <summary>
    /// An improved text as a unified diff with the model's reasons; while the answer streams in, <paramref name="onPreview"/>
    /// receives the readable text written so far (the improved text, then the reasons), piece by piece.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<AssistImprovement> ImproveAsync(Actor actor, AssistRequest request, Func<string, CancellationToken, ValueTask>? onPreview,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await AuthorizeAsync(actor, request.Target, "assist.improve", new { field = request.Field.ToString() }, cancellationToken);
        var result = await StructuredAsync(Spec(request.Target, $"assist:improve:{request.Field}".ToLowerInvariant()),
            Messages(request with { Mode = AssistMode.Improve }, structured: true), ImproveCall, new ChatOptions { Temperature = 0.3f },
            onPreview, cancellationToken);
        if (result.Value is not { } answer)
        {
            return new AssistImprovement(request.CurrentText, "", [], result.Error);
        }

        var diff = string.Equals(request.CurrentText, answer.Improved, StringComparison.Ordinal)
            ? ""
            : Diff.Generate(request.CurrentText, answer.Improved, $"current/{request.Field}", $"improved/{request.Field}", false, false)
                .ReplaceLineEndings("\n");
        return new AssistImprovement(answer.Improved, diff, answer.Reasons, null);
    }

    /// <summary>A rubric suggested from the goal: weighted criteria (weights sum to 1) on a 1–5 scale with a label per level.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<(Rubric? Rubric, string? Error)> SuggestRubricAsync(Actor actor, AssistTarget target, string goal, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(actor, target, "assist.suggest-rubric", null, cancellationToken);
        return await SuggestRubricAsync(target, goal, null, cancellationToken);
    }

    private async Task<(Rubric? Rubric, string? Error)> SuggestRubricAsync(AssistTarget target, string goal, string? callKey,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(goal);
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You design evaluation rubrics for LLM prompts. Propose 3–5 independent, observable criteria for the goal, each "
                + "with a one-sentence description, a weight (weights sum to 1) and exactly five anchored labels for scores 1 to 5 "
                + "(1 = fails, 5 = excellent), each label saying what an answer at that level looks like. Answer with JSON only."),
            new(ChatRole.User, $"Goal:\n{goal.Trim()}"),
        ];
        var result = await StructuredOutput.CompleteAsync(_gateway, Spec(target, "assist:suggest:rubric", callKey), messages, RubricCall,
            new ChatOptions { Temperature = 0.2f }, cancellationToken);
        return result.Value is { } answer ? (ToRubric(answer), null) : (null, result.Error);
    }

    /// <summary>Deterministic checks the goal implies (JSON schema, regex, length…); see <see cref="CheckSuggester"/>.</summary>
    public static IReadOnlyList<CheckSpec> SuggestChecks(string goal) => CheckSuggester.Suggest(goal);

    /// <summary>
    /// A seed prompt built from the goal and rubric by the versioned meta-prompt, with an explanation naming which
    /// technique serves which rubric criterion (every criterion must be served, else the answer is sent back once).
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<(SeedPromptDraft? Draft, string? Error)> DraftSeedPromptAsync(Actor actor, AssistTarget target, string goal, Rubric rubric,
        IReadOnlyList<string> variables, IReadOnlyList<CaseInput> examples, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(actor, target, "assist.draft-seed-prompt", null, cancellationToken);
        return await DraftSeedPromptAsync(target, goal, rubric, variables, examples, null, cancellationToken);
    }

    private async Task<(SeedPromptDraft? Draft, string? Error)> DraftSeedPromptAsync(AssistTarget target, string goal, Rubric rubric,
        IReadOnlyList<string> variables, IReadOnlyList<CaseInput> examples, string? callKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(rubric);
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(examples);
        var user = $"""
            Goal:
            {goal.Trim()}

            Rubric criteria:
            {string.Join("\n", rubric.Criteria.Select(c => string.Create(CultureInfo.InvariantCulture, $"- {c.Name} (weight {c.Weight:0.##}): {c.Description}")))}

            Template variables: {(variables.Count > 0 ? string.Join(", ", variables) : "choose them")}
            Example cases:
            {(examples.Count > 0 ? string.Join("\n", examples.Take(3).Select(e => JsonSerializer.Serialize(e.Variables))) : "none")}
            """;
        List<ChatMessage> messages = [new(ChatRole.System, MetaPrompt.Value), new(ChatRole.User, user)];
        var result = await StructuredOutput.CompleteAsync(_gateway, Spec(target, "assist:draft:seedprompt", callKey), messages,
            StructuredCalls.SeedPrompt(rubric, variables), new ChatOptions { Temperature = 0.4f }, cancellationToken);
        return result.Value is { } answer
            ? (new SeedPromptDraft(answer.SystemText, answer.Template, answer.Variables, answer.Techniques, SeedPromptMetaPromptVersion), null)
            : (null, result.Error);
    }

    /// <summary>
    /// "Draft the rest" from the goal alone: rubric → seed prompt → 40 tagged cases → two judges and the refiner (the assist
    /// model) → stop rules and checks.
    /// Stops chaining when the calls so far have spent <paramref name="budgetUsd"/>; the loop's own budget is the rest.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<DraftTheRestResult> DraftTheRestAsync(Actor actor, AssistTarget target, string goal, decimal budgetUsd,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await AuthorizeAsync(actor, target, "assist.draft-the-rest", new { budgetUsd }, cancellationToken);
        ArgumentException.ThrowIfNullOrWhiteSpace(goal);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budgetUsd);
        var problems = new List<string>();
        // Every call of the chain (repair retries included) carries this key prefix, so its cost is summed from llm_calls.
        var chain = $"draft-the-rest:{Ids.New():N}";
        var (rubric, rubricError) = await SuggestRubricAsync(target, goal, $"{chain}:rubric", cancellationToken);
        if (rubric is null)
        {
            return new DraftTheRestResult(null, null, await SpentAsync(chain, cancellationToken), [$"Rubric: {rubricError}"]);
        }

        if (await SpentAsync(chain, cancellationToken) is var afterRubric && afterRubric >= budgetUsd)
        {
            return new DraftTheRestResult(null, null, afterRubric, [OverBudget("the rubric", afterRubric, budgetUsd)]);
        }

        var (seed, seedError) = await DraftSeedPromptAsync(target, goal, rubric, [], [], $"{chain}:seed", cancellationToken);
        if (seed is null)
        {
            return new DraftTheRestResult(null, null, await SpentAsync(chain, cancellationToken), [$"Seed prompt: {seedError}"]);
        }

        if (await SpentAsync(chain, cancellationToken) is var afterSeed && afterSeed >= budgetUsd)
        {
            return new DraftTheRestResult(null, seed, afterSeed, [OverBudget("the seed prompt", afterSeed, budgetUsd)]);
        }

        var request = new GenerationRequest
        {
            ProjectId = target.ProjectId,
            ExperimentId = target.ExperimentId,
            CredentialId = target.CredentialId,
            Model = target.Model,
            Goal = goal,
            Variables = seed.Variables,
            Count = DraftCases,
        };
        var cases = new List<CaseInput>();
        var casesResult = await StructuredOutput.CompleteAsync(_gateway, Spec(target, "assist:draft:testcases", $"{chain}:cases"),
            GenerationPrompt.Build(request, 1, DraftCases, []), StructuredCalls.GeneratedCases(seed.Variables, DraftCases), new ChatOptions { Temperature = 0.9f }, cancellationToken);
        if (casesResult.Value is { } batch)
        {
            var dedup = new CaseDeduplicator();
            foreach (var answer in batch.Cases)
            {
                var input = new CaseInput(seed.Variables.ToDictionary(v => v, v => JsonSerializer.SerializeToElement(answer.Variables.GetValueOrDefault(v) ?? ""),
                    StringComparer.Ordinal), answer.ExpectedOutput, (answer.Tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).ToList(),
                    answer.Difficulty is "easy" or "medium" or "hard" ? answer.Difficulty : null);
                if (cases.Count < DraftCases && dedup.Add([input])[0].Kept)
                {
                    cases.Add(input);
                }
            }
        }
        else
        {
            problems.Add($"Test cases: {casesResult.Error}");
        }

        if (casesResult.Value is not null && cases.Count < DraftCases)
        {
            problems.Add($"Test cases: the model drafted {cases.Count} distinct cases of the {DraftCases} asked for; add more on the test data step so at least {DraftCases / 5} are validation cases.");
        }

        var spent = await SpentAsync(chain, cancellationToken);
        if (spent >= budgetUsd)
        {
            problems.Add(OverBudget("the test cases", spent, budgetUsd));
        }

        var criteria = string.Join(", ", rubric.Criteria.Select(c => c.Name));
        var definition = new ExperimentDefinition
        {
            Name = goal.Trim().Length > 60 ? goal.Trim()[..60] + "…" : goal.Trim(),
            Goal = goal.Trim(),
            Rubric = rubric,
            PromptTemplate = seed.Template,
            SystemText = seed.SystemText,
            Cases = cases,
            Models = [new ModelConfigDraft(target.CredentialId, target.Model)],
            Judges =
            [
                new JudgeConfigDraft(JudgeKinds.Pointwise, target.CredentialId, target.Model)
                {
                    SystemPrompt = $"Be strict: score {criteria} only from what the answer actually says; an unsupported claim caps its criterion at 2.",
                },
                new JudgeConfigDraft(JudgeKinds.Pointwise, target.CredentialId, target.Model)
                {
                    SystemPrompt = $"Judge as the person who sent the case would: would this answer solve their problem? Score {criteria} accordingly.",
                },
            ],
            // The assist model is the one the project chose for writing prompts, so it is the natural refiner; without one the
            // loop would stop after its first iteration.
            Refiner = new RefinerConfig { CredentialId = target.CredentialId, Model = target.Model },
            StopRules = new StopRules { MaxIterations = 8, Patience = 3, BudgetUsd = Math.Max(0, budgetUsd - spent) },
            Checks = CheckSuggester.Suggest(goal),
        };
        return new DraftTheRestResult(definition, seed, spent, problems);
    }

    // Streamed only when someone watches: the preview shows the JSON answer's string values, not its braces.
    private Task<StructuredResult<T>> StructuredAsync<T>(LlmCallSpec spec, List<ChatMessage> messages, StructuredCall<T> call,
        ChatOptions options, Func<string, CancellationToken, ValueTask>? onPreview,
        CancellationToken cancellationToken) where T : class
    {
        if (onPreview is null)
        {
            return StructuredOutput.CompleteAsync(_gateway, spec, messages, call, options, cancellationToken);
        }

        var preview = new JsonTextPreview();
        return StructuredOutput.StreamAsync(_gateway, spec, messages, call, options, async (piece, ct) =>
        {
            if (preview.Append(piece) is { Length: > 0 } text)
            {
                await onPreview(text, ct);
            }
        }, cancellationToken);
    }

    private async Task<decimal> SpentAsync(string chain, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<decimal>(new CommandDefinition(
            "SELECT COALESCE(sum(cost_usd), 0) FROM llm_calls WHERE call_key LIKE @prefix",
            new { prefix = chain + ":%" }, cancellationToken: cancellationToken));
    }

    private static string OverBudget(string step, decimal spent, decimal budget) => string.Create(CultureInfo.InvariantCulture,
        $"Drafting spent ${spent:0.####} by {step}, the whole budget of ${budget:0.####}: the rest was not drafted, and the loop would have nothing left.");

    private static LlmCallSpec Spec(AssistTarget target, string purpose, string? callKey = null) =>
        new(target.ProjectId, target.CredentialId, target.Model, purpose) { ExperimentId = target.ExperimentId, CallKey = callKey };

    private static List<ChatMessage> Messages(AssistRequest request, bool structured)
    {
        var what = request.Field switch
        {
            AssistField.Goal => "the goal of a prompt: one paragraph saying what the prompt must achieve, for whom, and what a great answer looks like",
            AssistField.Rubric => "a rubric: 3–5 criteria, each with a weight (summing to 1) and labels for scores 1 to 5",
            AssistField.SeedPrompt => "a prompt template (Liquid, variables as {{ name }}) that achieves the goal",
            AssistField.SystemText => "the system text of the prompt: role, constraints and tone",
            AssistField.FewShot => "few-shot examples (input and ideal output pairs) that show the expected answer",
            AssistField.JudgePrompt => "a judge's system prompt: how to score answers against the rubric, strictly and consistently",
            _ => "test cases as JSON lines, one object of template variables per line, varied and including edge cases",
        };
        var system = $"You help a prompt engineer write {what}. Answer with the text only, no preamble.";
        var context = request.Context.Length > 0 ? $"\n\nContext:\n{request.Context}" : "";
        var user = (request.Mode, structured) switch
        {
            (AssistMode.Draft, true) => $"Goal:\n{request.Goal}{context}\n\nWrite three clearly different options. Answer with JSON: {{\"option1\": \"…\", \"option2\": \"…\", \"option3\": \"…\"}}.",
            (AssistMode.Draft, false) => $"Goal:\n{request.Goal}{context}\n\nWrite it.",
            (AssistMode.Complete, _) => $"Goal:\n{request.Goal}{context}\n\nContinue this text from exactly where it stops; reply with the continuation only:\n{request.CurrentText}",
            (AssistMode.Improve, true) => $"Goal:\n{request.Goal}{context}\n\nImprove this text. Keep what works. Answer with JSON: {{\"improved\": \"…\", \"reason\": \"the main change and why\", \"moreReasons\": [\"one reason per further change\"]}}.\n\nText:\n{request.CurrentText}",
            _ => $"Goal:\n{request.Goal}{context}\n\nImprove this text; keep what works; reply with the improved text only:\n{request.CurrentText}",
        };
        return [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, user)];
    }

    private static Rubric ToRubric(RubricAnswer answer)
    {
        var total = answer.Criteria.Sum(c => c.Weight);
        return new Rubric(answer.Criteria.Select(c => new RubricCriterion(c.Name.Trim(), c.Description?.Trim() ?? "", Math.Round(c.Weight / total, 4), 1, 5,
            c.Labels.Select((label, i) => (Score: i + 1, label)).ToDictionary(x => x.Score, x => x.label))).ToList());
    }

    private static string ReadResource(string name)
    {
        var assembly = typeof(AssistService).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
