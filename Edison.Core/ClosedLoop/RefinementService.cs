using System.Globalization;
using System.Text.Json;
using Dapper;
using Edison.Core.Events;
using Edison.Core.Experiments;
using Edison.Core.Persistence;
using Edison.Core.Prompts;
using Edison.Core.Refining;
using Edison.Core.Runs;
using Edison.Core.Runs.Aggregation;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edison.Core.ClosedLoop;

/// <summary>
/// Runs the refiner for an iteration in the refining state and stores its suggestion (or its failure, in words) as attempt n.
/// Safe to re-run: one worker at a time holds the iteration's lock, a stored attempt is never redone, and the refiner's
/// calls are keyed per attempt so a crash mid-way re-pays nothing.
/// </summary>
public sealed partial class RefinementService
{
    private const int MaxExemplars = 6;
    private const int MaxCandidates = 5;
    private static readonly JsonSerializerOptions Json = LoopJson.Options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly RefinerPipeline _pipeline;
    private readonly ReviewService _reviews;
    private readonly CandidateScreener _screener;
    private readonly IEventBus _events;
    private readonly ILogger<RefinementService> _logger;
    private readonly IterationLifecycle _lifecycle;

    internal RefinementService(NpgsqlDataSource dataSource, RefinerPipeline pipeline, ReviewService reviews, CandidateScreener screener,
        IEventBus events, ILogger<RefinementService> logger, IterationLifecycle lifecycle)
    {
        _lifecycle = lifecycle;
        _screener = screener;
        _dataSource = dataSource;
        _pipeline = pipeline;
        _reviews = reviews;
        _events = events;
        _logger = logger;
    }

    /// <summary>Refines the iteration if it is waiting for the refiner; otherwise does nothing.</summary>
    internal async Task RefineAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var lockConnection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var locked = await lockConnection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT pg_try_advisory_lock(hashtextextended('edison:refine:' || @iterationId::text, 0))", new { iterationId },
            cancellationToken: cancellationToken));
        if (!locked)
        {
            return;
        }

        try
        {
            await RefineLockedAsync(iterationId, cancellationToken);
        }
        finally
        {
            await lockConnection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_unlock(hashtextextended('edison:refine:' || @iterationId::text, 0))", new { iterationId },
                cancellationToken: CancellationToken.None));
        }
    }

    private async Task RefineLockedAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var it = await connection.QuerySingleOrDefaultAsync<IterationRow>(new CommandDefinition("""
            SELECT i.id, i.experiment_id, e.project_id, i.status, i.prompt_version_id, i.dataset_version_id, e.goal, e.rubric::text AS rubric,
                   e.refiner_config::text AS refiner_config, e.recommended_version_id,
                   (SELECT max(attempt) FROM suggestions WHERE iteration_id = i.id) AS last_attempt,
                   (SELECT status FROM suggestions WHERE iteration_id = i.id ORDER BY attempt DESC LIMIT 1) AS last_status
            FROM iterations i JOIN experiments e ON e.id = i.experiment_id
            WHERE i.id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        if (it is null || it.Status != IterationStatus.Refining)
        {
            return;
        }

        // A crash after the suggestion was stored but before the transition: the attempt is done, only the move is left.
        if (it.LastStatus is not ("pending" or "failed"))
        {
            var attempt = (it.LastAttempt ?? 0) + 1;
            var refiner = JsonSerializer.Deserialize<RefinerConfig>(it.RefinerConfig, Json) ?? new RefinerConfig();
            var sourceVersionId = it.RecommendedVersionId ?? it.PromptVersionId;
            var input = await BuildInputAsync(connection, it, sourceVersionId, refiner, cancellationToken);
            RefinementResult result;
            ScreeningResult? screening = null;
            var count = Math.Clamp(refiner.Candidates, 1, MaxCandidates);
            if (refiner.CredentialId is not { } credentialId || string.IsNullOrWhiteSpace(refiner.Model))
            {
                result = new RefinementResult(false, "The experiment has no refiner model; choose one to get suggestions.", [], null);
            }
            else if (count == 1)
            {
                var call = new RefinerCall(it.ProjectId, credentialId, refiner.Model, it.ExperimentId, iterationId,
                    $"refine:{iterationId}:{attempt}");
                result = await _pipeline.RunAsync(input, call, cancellationToken);
            }
            else
            {
                var drafts = new List<RefinementResult>();
                for (var candidate = 1; candidate <= count; candidate++)
                {
                    var call = new RefinerCall(it.ProjectId, credentialId, refiner.Model, it.ExperimentId, iterationId,
                        $"refine:{iterationId}:{attempt}:c{candidate}") { Candidate = candidate, Candidates = count };
                    drafts.Add(await _pipeline.RunAsync(input, call, cancellationToken));
                }

                screening = await _screener.ScreenAsync(iterationId, attempt, drafts, cancellationToken);
                result = screening.Chosen is { } chosen
                    ? drafts[chosen - 1]
                    : new RefinementResult(false, "None of the refiner's candidates produced a proposal: "
                        + string.Join(" ", drafts.Select((d, i) => string.Create(CultureInfo.InvariantCulture, $"({i + 1}) {d.Error}"))),
                        drafts[0].Steps, null);
            }

            await StoreAsync(connection, iterationId, attempt, sourceVersionId, result, screening, cancellationToken);
            LogRefined(iterationId, attempt, result.Succeeded, result.Error);
        }

        if (await _lifecycle.AwaitReviewAsync(iterationId, cancellationToken) is not null)
        {
            await _events.PublishAsync(new ExperimentEvent(it.ExperimentId, iterationId, ExperimentEvent.StatusChanged, IterationStatus.Reviewing,
                0, 0), cancellationToken);
        }

        await _reviews.TryAutoApplyAsync(iterationId, cancellationToken);
    }

    private static async Task StoreAsync(NpgsqlConnection connection, Guid iterationId, int attempt, Guid sourceVersionId, RefinementResult result,
        ScreeningResult? screening, CancellationToken cancellationToken)
    {
        var proposal = result.Proposal;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO suggestions (id, iteration_id, attempt, source_version_id, proposed_template, proposed_system_text, proposed_few_shots,
                                     unified_diff, note, hypotheses, target_criteria, edits, steps, status, error, screening)
            VALUES (@id, @iterationId, @attempt, @sourceVersionId, @template, @systemText, @fewShots::jsonb, @diff, @note, @hypotheses::jsonb,
                    @targetCriteria, @edits::jsonb, @steps::jsonb, @status, @error, @screening::jsonb)
            ON CONFLICT (iteration_id, attempt) DO NOTHING
            """,
            new
            {
                id = Ids.New(), iterationId, attempt, sourceVersionId, template = proposal?.Proposed.Template,
                systemText = proposal?.Proposed.SystemText ?? "", fewShots = JsonSerializer.Serialize(proposal?.Proposed.FewShots ?? [], Json),
                diff = proposal?.UnifiedDiff ?? "", note = proposal?.Note ?? "", hypotheses = JsonSerializer.Serialize(proposal?.Hypotheses ?? [], Json),
                targetCriteria = proposal?.TargetCriteria.ToArray() ?? [], edits = JsonSerializer.Serialize(proposal?.Edits ?? [], Json),
                steps = JsonSerializer.Serialize(result.Steps, Json), status = result.Succeeded && proposal is not null ? "pending" : "failed",
                error = result.Succeeded ? null : result.Error ?? "The refiner gave no proposal.",
                screening = screening is null ? null : JsonSerializer.Serialize(screening, Json),
            }, cancellationToken: cancellationToken));
    }

    private static async Task<RefinerInput> BuildInputAsync(NpgsqlConnection connection, IterationRow it, Guid sourceVersionId,
        RefinerConfig refiner, CancellationToken cancellationToken)
    {
        var rubric = JsonSerializer.Deserialize<Rubric>(it.Rubric, Json)!;
        var source = await connection.QuerySingleAsync<(int Version, string Template, string SystemText, string FewShots)>(new CommandDefinition(
            "SELECT version, template, system_text, few_shots::text FROM prompt_versions WHERE id = @sourceVersionId",
            new { sourceVersionId }, cancellationToken: cancellationToken));
        // The figures come from the iteration that measured the source version on these cases (this one, or an earlier one
        // when the recommended version is older than the latest).
        var sourceIteration = await connection.QuerySingleAsync<(Guid Id, string? Metrics)>(new CommandDefinition("""
            SELECT id, metrics::text FROM iterations
            WHERE prompt_version_id = @sourceVersionId AND dataset_version_id = @DatasetVersionId AND metrics IS NOT NULL
            ORDER BY number DESC LIMIT 1
            """, new { sourceVersionId, it.DatasetVersionId }, cancellationToken: cancellationToken));
        var metrics = sourceIteration.Metrics is null ? null : JsonSerializer.Deserialize<IterationMetrics>(sourceIteration.Metrics, Json);

        var weakest = rubric.Criteria
            .Select(c => (Criterion: c, Mean: metrics?.PerCriterion.FirstOrDefault(m => m.Criterion == c.Name)?.MeanScore))
            .Where(x => x.Mean is not null)
            .OrderBy(x => (x.Mean!.Value - x.Criterion.ScaleMin) / (x.Criterion.ScaleMax - x.Criterion.ScaleMin))
            .Select(x => new CriterionSummary(x.Criterion.Name, x.Mean!.Value, x.Criterion.ScaleMin, x.Criterion.ScaleMax))
            .ToList();

        var candidates = (await connection.QueryAsync<ExemplarRow>(new CommandDefinition("""
            SELECT o.id AS output_id, o.case_id, dvc.position, cv.input::text AS input, o.text AS output, cv.tags,
                   (SELECT avg(j.composite) FROM judgments j WHERE j.output_id = o.id AND j.status = 'succeeded' AND j.mode = 'pointwise') AS composite,
                   (SELECT coalesce(jsonb_agg(j.rationales), '[]'::jsonb)::text FROM judgments j
                    WHERE j.output_id = o.id AND j.status = 'succeeded' AND j.mode = 'pointwise') AS rationales
            FROM outputs o
            JOIN model_runs mr ON mr.id = o.model_run_id
            JOIN case_versions cv ON cv.case_id = o.case_id AND cv.version = o.case_version
            JOIN iterations i ON i.id = mr.iteration_id
            JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id AND dvc.case_id = o.case_id
            WHERE mr.iteration_id = @Id AND o.status = 'succeeded' AND cv.split = 'train'
            """, new { sourceIteration.Id }, cancellationToken: cancellationToken))).Where(c => c.Composite is not null).ToList();
        var exemplars = PickExemplars(candidates).Select(c => new RefinerExemplar(
            $"case-{c.Position + 1}", c.Input, c.Output, Rationales(c.Rationales), c.Composite, c.Tags)).ToList();

        var suggestions = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT s FROM judgments j JOIN outputs o ON o.id = j.output_id JOIN model_runs mr ON mr.id = o.model_run_id,
                 jsonb_array_elements_text(j.suggestions) s
            WHERE mr.iteration_id = @Id AND j.status = 'succeeded'
            """, new { sourceIteration.Id }, cancellationToken: cancellationToken))).ToList();
        var notes = (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT r.note FROM reviews r
            LEFT JOIN suggestions s ON s.id = r.suggestion_id LEFT JOIN iterations si ON si.id = s.iteration_id
            LEFT JOIN outputs o ON o.id = r.output_id LEFT JOIN model_runs mr ON mr.id = o.model_run_id LEFT JOIN iterations oi ON oi.id = mr.iteration_id
            WHERE coalesce(si.experiment_id, oi.experiment_id) = @ExperimentId AND r.note <> ''
            ORDER BY r.created_at DESC LIMIT 10
            """, new { it.ExperimentId }, cancellationToken: cancellationToken))).ToList();
        var history = (await connection.QueryAsync<(int Version, string Changelog, string? Comparison)>(new CommandDefinition("""
            SELECT pv.version, pv.changelog,
                   (SELECT i.comparison::text FROM iterations i WHERE i.prompt_version_id = pv.id AND i.comparison IS NOT NULL
                    ORDER BY i.number DESC LIMIT 1)
            FROM prompt_versions pv WHERE pv.experiment_id = @ExperimentId AND pv.version > 1 ORDER BY pv.version
            """, new { it.ExperimentId }, cancellationToken: cancellationToken)))
            .Select(h => new EditHistoryEntry(h.Version, h.Changelog,
                h.Comparison is null ? null : JsonSerializer.Deserialize<VersionComparison>(h.Comparison, Json)!.MeanDifference))
            .ToList();
        var variables = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT DISTINCT k FROM dataset_version_cases dvc
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version, jsonb_object_keys(cv.input) k
            WHERE dvc.dataset_version_id = @DatasetVersionId ORDER BY k
            """, new { it.DatasetVersionId }, cancellationToken: cancellationToken));
        var templateVariables = PromptTemplate.TryParse(source.Template, out var template, out _) ? template!.Variables : [];

        return new RefinerInput(it.Goal, rubric,
            new PromptFields(source.SystemText, source.Template, JsonSerializer.Deserialize<List<FewShotExample>>(source.FewShots, Json) ?? []),
            source.Version, variables.Union(templateVariables).ToList(), weakest, exemplars, suggestions, notes, history, refiner.MaxChangeFraction);
    }

    // The worst outputs first, but one per failure tag before a second of any tag, so the refiner sees different failures.
    private static IEnumerable<ExemplarRow> PickExemplars(List<ExemplarRow> candidates)
    {
        var ordered = candidates.OrderBy(c => c.Composite).ThenBy(c => c.Position).ToList();
        var picked = new List<ExemplarRow>();
        foreach (var group in ordered.GroupBy(c => c.Tags.FirstOrDefault() ?? ""))
        {
            picked.Add(group.First());
        }

        picked = picked.OrderBy(c => c.Composite).Take(MaxExemplars).ToList();
        picked.AddRange(ordered.Where(c => !picked.Contains(c)).Take(MaxExemplars - picked.Count));
        return picked.OrderBy(c => c.Composite).ThenBy(c => c.Position);
    }

    private static List<string> Rationales(string json) =>
        (JsonSerializer.Deserialize<List<Dictionary<string, string>>>(json, Json) ?? [])
        .SelectMany((judge, i) => judge.Select(kv => string.Create(CultureInfo.InvariantCulture, $"Judge {i + 1} on {kv.Key}: {kv.Value}")))
        .ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "Refined iteration {IterationId}, attempt {Attempt}: succeeded {Succeeded} {Error}")]
    private partial void LogRefined(Guid iterationId, int attempt, bool succeeded, string? error);

    private sealed record IterationRow(Guid Id, Guid ExperimentId, Guid ProjectId, string Status, Guid PromptVersionId, Guid DatasetVersionId,
        string Goal, string Rubric, string RefinerConfig, Guid? RecommendedVersionId, int? LastAttempt, string? LastStatus);

    // A class with setters: Dapper maps text[] columns only through properties, not positional records.
    private sealed class ExemplarRow
    {
        public Guid OutputId { get; init; }

        public Guid CaseId { get; init; }

        public int Position { get; init; }

        public string Input { get; init; } = "";

        public string Output { get; init; } = "";

        public string[] Tags { get; init; } = [];

        public double? Composite { get; init; }

        public string Rationales { get; init; } = "";
    }
}
