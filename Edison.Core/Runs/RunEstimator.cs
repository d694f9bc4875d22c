using System.Text.Json;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Judging;
using Edison.Core.Llm;
using Edison.Core.Prompts;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Edison.Core.Runs;

/// Estimates the next iteration's cost from the rendered prompts: input tokens counted with the gateway's estimator, each
/// output at the model's maxOutputTokens (or <see cref="DefaultOutputAllowance"/>), priced from model_prices.
internal sealed class RunEstimator(NpgsqlDataSource dataSource, ITokenEstimator tokens, PriceTable prices)
{
    public const int DefaultOutputAllowance = 256;
    public const int JudgeOutputAllowance = 256;
    public const int RefinerCalls = 6;
    public const int RefinerContextTokens = 2000;
    public const int RefinerOutputAllowance = 512;

    /// How many cases' prompts are rendered and counted for an estimate; the rest are scaled from them.
    public const int EstimateSampleCases = 50;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RunEstimate?> EstimateAsync(Guid experimentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // What the next run would run is the planner's choice, the same one Run makes.
        if (await IterationPlanner.LatestAsync(connection, null, experimentId, cancellationToken) is not var (plan, _))
        {
            return null;
        }

        var source = await connection.QuerySingleOrDefaultAsync<SourceRow>(new CommandDefinition("""
            SELECT e.goal, e.rubric::text AS rubric, e.safety_config::text AS safety, e.stop_rules::text AS stop_rules,
                   e.refiner_config::text AS refiner, p.template, p.system_text, p.few_shots::text AS few_shots,
                   p.tools_schema::text AS tools_schema, p.response_format::text AS response_format, @DatasetVersionId AS dataset_version_id,
                   EXISTS (SELECT 1 FROM iterations i WHERE i.prompt_version_id = p.parent_id AND i.dataset_version_id = @DatasetVersionId
                           AND i.metrics IS NOT NULL AND i.status <> @cancelled) AS has_parent,
                   (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE experiment_id = e.id) AS spent
            FROM experiments e JOIN prompt_versions p ON p.id = @PromptVersionId
            WHERE e.id = @experimentId
            """, new { experimentId, plan.PromptVersionId, plan.DatasetVersionId, cancelled = IterationStatus.Cancelled },
            cancellationToken: cancellationToken));
        if (source is null || !PromptTemplate.TryParse(source.Template, out var template, out _))
        {
            return null;
        }

        var cases = (await connection.QueryAsync<(string Input, string? Expected)>(new CommandDefinition("""
            SELECT cv.input::text, cv.expected_output FROM dataset_version_cases dvc
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
            WHERE dvc.dataset_version_id = @id ORDER BY dvc.position
            """, new { id = source.DatasetVersionId }, cancellationToken: cancellationToken))).ToList();
        var models = (await connection.QueryAsync<(string Model, string Parameters, int Samples)>(new CommandDefinition("""
            SELECT model, parameters::text, samples_per_case FROM model_configs WHERE experiment_id = @experimentId AND is_enabled ORDER BY position
            """, new { experimentId }, cancellationToken: cancellationToken))).ToList();
        var judges = (await connection.QueryAsync<(string Kind, string Model, string SystemPrompt)>(new CommandDefinition("""
            SELECT kind, model, system_prompt FROM judge_configs
            WHERE experiment_id = @experimentId AND is_enabled AND kind IN ('pointwise', 'pairwise') ORDER BY position
            """, new { experimentId }, cancellationToken: cancellationToken))).ToList();
        await connection.CloseAsync();

        var rubric = JsonSerializer.Deserialize<Rubric>(source.Rubric, Json)!;
        var safety = JsonSerializer.Deserialize<SafetyConfig>(source.Safety, Json) ?? new SafetyConfig();
        var rules = JsonSerializer.Deserialize<StopRules>(source.StopRules, Json) ?? new StopRules();
        var refiner = JsonSerializer.Deserialize<RefinerConfig>(source.Refiner, Json) ?? new RefinerConfig();
        var fewShots = JsonSerializer.Deserialize<List<FewShot>>(source.FewShots, Json) ?? [];
        return await PriceAsync(new Inputs(source.Goal, rubric, safety, rules, refiner, template!, source.Template, source.SystemText, fewShots,
            source.ToolsSchema, source.ResponseFormat, source.HasParent, source.Spent, cases, models, judges), cancellationToken);
    }

    /// Estimates a definition not stored yet (the wizard's review step): its first iteration, nothing spent.
    public async Task<RunEstimate?> EstimateAsync(ExperimentDefinition definition, CancellationToken cancellationToken)
    {
        if (!PromptTemplate.TryParse(definition.PromptTemplate, out var template, out _))
        {
            return null;
        }

        var cases = definition.Cases.Select(c => (JsonSerializer.Serialize(c.Variables), c.ExpectedOutput)).ToList();
        var models = definition.Models.Select(m => (m.Model, m.ParametersJson, m.SamplesPerCase)).ToList();
        var judges = definition.Judges.Where(j => j.Kind is JudgeKinds.Pointwise or JudgeKinds.Pairwise)
            .Select(j => (j.Kind, j.Model, j.SystemPrompt)).ToList();
        return await PriceAsync(new Inputs(definition.Goal, definition.Rubric, definition.Safety, definition.StopRules, definition.Refiner, template!,
            definition.PromptTemplate, definition.SystemText, [], null, null, false, 0, cases, models, judges), cancellationToken);
    }

    private async Task<RunEstimate> PriceAsync(Inputs source, CancellationToken cancellationToken)
    {
        var (rubric, safety, rules, refiner, template, fewShots) = (source.Rubric, source.Safety, source.Rules, source.Refiner, source.Parsed, source.FewShots);
        var (cases, models, judges) = (source.Cases, source.Models, source.Judges);
        var options = new ChatOptions
        {
            ResponseFormat = PromptOutputShape.ResponseFormat(source.ResponseFormat),
            Tools = PromptOutputShape.Tools(source.ToolsSchema),
        };

        // Per case: the model prompt's tokens, and the judges' prompts around an empty answer, counted on a bounded sample of the
        // cases (evenly spread) and scaled to all of them, so a page view costs the same at 10 or 100,000 cases. A case whose render
        // passes a template limit counts as the template's own text (the run will fail it without a call).
        var sample = cases.Count <= EstimateSampleCases
            ? cases
            : Enumerable.Range(0, EstimateSampleCases).Select(k => cases[(int)((long)k * cases.Count / EstimateSampleCases)]).ToList();
        long Scaled(long sampled) => sample.Count == 0 ? 0 : (long)Math.Round((double)sampled * cases.Count / sample.Count);
        var modelPromptTokensSum = Scaled(sample.Sum(c => (long)tokens.EstimateInputTokens(
            ModelMessages(source.SystemText, fewShots, template!.TryRender(Variables(c.Input), out var rendered, out _) ? rendered! : source.Template),
            options)));
        var allowances = models.Select(m => (long)(ModelSettings.Parse(m.Parameters).MaxOutputTokens ?? DefaultOutputAllowance)).ToList();
        var parts = new List<(string Part, string Model, int Calls, long Input, long Output)>();
        for (var m = 0; m < models.Count; m++)
        {
            parts.Add((RunEstimatePart.ModelCalls, models[m].Model, cases.Count * models[m].Samples, modelPromptTokensSum * models[m].Samples,
                allowances[m] * cases.Count * models[m].Samples));
        }

        foreach (var judge in judges)
        {
            if (judge.Kind == JudgeKinds.Pairwise)
            {
                var baseTokens = Scaled(sample.Sum(c => (long)tokens.EstimateInputTokens(
                    PairwisePrompt.Build(source.Goal, rubric, c.Input, "", "", judge.SystemPrompt), null)));
                var (calls, input) = (0L, 0L);
                for (var a = 0; a < models.Count; a++)
                {
                    for (var b = 0; b < models.Count; b++)
                    {
                        var pairsPerCase = a == b ? (source.HasParent ? 2 * models[a].Samples : 0) : Math.Min(models[a].Samples, models[b].Samples);
                        calls += (long)pairsPerCase * cases.Count;
                        input += pairsPerCase * (baseTokens + (cases.Count * (allowances[a] + allowances[b])));
                    }
                }

                parts.Add((RunEstimatePart.PairwiseJudge, judge.Model, (int)calls, input, calls * JudgeOutputAllowance));
            }
            else
            {
                var baseTokens = Scaled(sample.Sum(c => (long)tokens.EstimateInputTokens(
                    JudgePrompt.Build(source.Goal, rubric, c.Input, c.Expected, "", judge.SystemPrompt, true, safety), null)));
                var calls = models.Sum(m => cases.Count * m.Samples);
                var input = models.Select((m, i) => m.Samples * (baseTokens + (cases.Count * allowances[i]))).Sum();
                parts.Add((RunEstimatePart.PointwiseJudge, judge.Model, calls, input, (long)calls * JudgeOutputAllowance));
            }
        }

        if (refiner is { CredentialId: not null, Model: { } refinerModel })
        {
            var promptTokens = tokens.EstimateInputTokens([new ChatMessage(ChatRole.User, source.Template + "\n" + source.SystemText)], null);
            parts.Add((RunEstimatePart.Refiner, refinerModel, RefinerCalls, RefinerCalls * (long)(promptTokens + RefinerContextTokens),
                RefinerCalls * (long)RefinerOutputAllowance));
        }

        var priced = new List<RunEstimatePart>();
        foreach (var (part, model, calls, input, output) in parts)
        {
            var price = await prices.CostAsync(model, (int)Math.Min(input, int.MaxValue), 0, (int)Math.Min(output, int.MaxValue), cancellationToken);
            priced.Add(new RunEstimatePart(part, model, calls, input, output, price.CostUsd, price.Known));
        }

        var unpriced = priced.Where(p => !p.PriceKnown).Select(p => p.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new RunEstimate(priced, priced.Sum(p => p.CostUsd), unpriced, rules.BudgetUsd, source.Spent)
        {
            SampledCases = sample.Count < cases.Count ? sample.Count : null,
            TotalCases = cases.Count,
        };
    }

    private static List<ChatMessage> ModelMessages(string systemText, IReadOnlyList<FewShot> fewShots, string rendered)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(systemText))
        {
            messages.Add(new ChatMessage(ChatRole.System, systemText));
        }

        foreach (var example in fewShots)
        {
            messages.Add(new ChatMessage(ChatRole.User, example.Input));
            messages.Add(new ChatMessage(ChatRole.Assistant, example.Output));
        }

        messages.Add(new ChatMessage(ChatRole.User, rendered));
        return messages;
    }

    private static Dictionary<string, JsonElement> Variables(string input) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(input)!;

    private sealed record FewShot(string Input, string Output);

    private sealed record Inputs(string Goal, Rubric Rubric, SafetyConfig Safety, StopRules Rules, RefinerConfig Refiner, PromptTemplate Parsed,
        string Template, string SystemText, IReadOnlyList<FewShot> FewShots, string? ToolsSchema, string? ResponseFormat, bool HasParent,
        decimal Spent, List<(string Input, string? Expected)> Cases, List<(string Model, string Parameters, int Samples)> Models,
        List<(string Kind, string Model, string SystemPrompt)> Judges);

    private sealed class SourceRow
    {
        public string Goal { get; init; } = "";

        public string Rubric { get; init; } = "";

        public string Safety { get; init; } = "";

        public string StopRules { get; init; } = "";

        public string Refiner { get; init; } = "";

        public string Template { get; init; } = "";

        public string SystemText { get; init; } = "";

        public string FewShots { get; init; } = "[]";

        public string? ToolsSchema { get; init; }

        public string? ResponseFormat { get; init; }

        public Guid DatasetVersionId { get; init; }

        public bool HasParent { get; init; }

        public decimal Spent { get; init; }
    }
}
