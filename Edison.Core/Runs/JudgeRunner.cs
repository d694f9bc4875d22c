using System.Text.Json;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Llm.Structured;
using Edison.Core.Persistence;
using Edison.Core.Judging;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>Scores one chunk of an iteration's outputs (pointwise) or pairs (pairwise) with one judge, writing each judgment exactly once.</summary>
public sealed class JudgeRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly StructuredCall<PairwiseVerdict> Pairwise = StructuredCalls.PairwiseVerdict();
    private readonly NpgsqlDataSource _dataSource;
    private readonly LlmGateway _gateway;
    private readonly ChunkCompletion _completion;
    private readonly IOptions<LlmOptions> _options;
    private readonly bool _fence;
    private readonly BudgetGuard _budget;

    internal JudgeRunner(NpgsqlDataSource dataSource, LlmGateway gateway, ChunkCompletion completion, BudgetGuard budget,
        IOptions<LlmOptions> options, IOptions<JudgingOptions> judging)
    {
        _fence = judging.Value.FenceUntrustedText;
        _budget = budget;
        _dataSource = dataSource;
        _gateway = gateway;
        _completion = completion;
        _options = options;
    }

    /// <summary>
    /// Judges the outputs of one model run at case positions [from, from + count) (pointwise), or the pairs anchored on them
    /// (pairwise), that this judge has not judged yet.
    /// </summary>
    internal async Task JudgeChunkAsync(Guid iterationId, Guid judgeConfigId, Guid modelRunId, int from, int count, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var judge = await connection.QuerySingleOrDefaultAsync<JudgeRow>(new CommandDefinition("""
            SELECT jc.id AS judge_config_id, jc.kind, jc.credential_id, jc.model, jc.system_prompt, i.experiment_id, e.project_id, e.goal,
                   e.rubric::text AS rubric, e.safety_config::text AS safety, i.status, i.is_paused,
                   i.scheduled_run OR i.judge_generation > 0 AS bypass_cache, i.judge_generation
            FROM judge_configs jc
            JOIN iterations i ON i.id = @iterationId AND i.experiment_id = jc.experiment_id
            JOIN experiments e ON e.id = i.experiment_id
            WHERE jc.id = @judgeConfigId
            """, new { iterationId, judgeConfigId }, cancellationToken: cancellationToken));
        if (judge is null || judge.Status != IterationStatus.Judging || judge.IsPaused)
        {
            return;
        }

        var rubric = JsonSerializer.Deserialize<Rubric>(judge.Rubric, Json)!;
        var chunkKey = WorkChunkLedger.JudgeKey(iterationId, judgeConfigId, modelRunId, from);
        if (judge.Kind == JudgeKinds.Pairwise)
        {
            await JudgePairsAsync(connection, iterationId, judge, rubric, modelRunId, from, count, chunkKey, cancellationToken);
            return;
        }

        var safety = JsonSerializer.Deserialize<SafetyConfig>(judge.Safety, Json) ?? new SafetyConfig();
        var todo = (await connection.QueryAsync<JudgeItem>(new CommandDefinition($"""
            WITH chunk AS ({WorkProgress.ChunkOutputsSql})
            SELECT o.id AS output_id, cv.input::text AS input, cv.expected_output, o.text AS output, o.tool_calls::text AS tool_calls
            FROM chunk x
            JOIN outputs o ON o.id = x.output_id
            JOIN case_versions cv ON cv.case_id = o.case_id AND cv.version = o.case_version
            WHERE NOT EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = o.id AND j.judge_config_id = @judgeConfigId
                              AND j.mode = 'pointwise' AND j.pair_key = '')
            ORDER BY x.position, x.sample
            """, new { iterationId, judgeConfigId, modelRunId, from, count }, cancellationToken: cancellationToken))).ToList();
        await connection.CloseAsync();

        var verdict = StructuredCalls.PointwiseVerdict(rubric);
        await JudgeAllAsync(iterationId, judge, chunkKey, todo, item => PointwiseRequest(iterationId, judge, rubric, safety, verdict, item),
            (item, request, answer, ct) => JudgeOneAsync(iterationId, judge, rubric, verdict, item, request, answer, ct), cancellationToken);
    }

    /// <summary>
    /// Judges the chunk's items: those answerable without a provider (recorded or cached) in one batch stored in one
    /// statement, the rest in parallel under the iteration's watch, each stored as it arrives; then closes the chunk if no
    /// judgment is missing.
    /// </summary>
    private async Task JudgeAllAsync<T>(Guid iterationId, JudgeRow judge, string chunkKey, IReadOnlyList<T> todo, Func<T, LlmRequest> request,
        Func<T, LlmRequest, LlmPreResolved, CancellationToken, Task<JudgmentRow?>> judgeOne, CancellationToken cancellationToken)
    {
        var requests = todo.Select(request).ToList();
        var answers = await _gateway.ResolveWithoutProviderAsync(requests, cancellationToken);
        var answered = new List<JudgmentRow>();
        foreach (var i in Enumerable.Range(0, todo.Count).Where(i => answers[i].Result is not null))
        {
            // A pre-answered verdict that does not validate makes its repair call here, one at a time: rare.
            answered.Add((await judgeOne(todo[i], requests[i], answers[i], cancellationToken))!);
        }

        await InsertAsync(iterationId, judge.JudgeConfigId, answered, cancellationToken);
        var written = answered.Count;
        await IterationWatch.ForEachAsync(_dataSource, iterationId, Enumerable.Range(0, todo.Count).Where(i => answers[i].Result is null),
            _options.Value.ChunkConcurrency, async (i, ct) =>
            {
                if (await judgeOne(todo[i], requests[i], answers[i], ct) is { } row)
                {
                    await InsertAsync(iterationId, judge.JudgeConfigId, [row], ct);
                    Interlocked.Increment(ref written);
                }
            }, cancellationToken);
        await _completion.FinishAsync(judge.ExperimentId, iterationId, WorkChunkLedger.JudgePhase, chunkKey, written == todo.Count,
            cancellationToken);
    }

    /// Judgments in one statement (a chunk's pre-answered ones together: per-row inserts cost a round trip, a commit and
    /// foreign-key locks each).
    private async Task InsertAsync(Guid iterationId, Guid judgeConfigId, IReadOnlyList<JudgmentRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO judgments (id, iteration_id, output_id, other_output_id, judge_config_id, mode, pair_key, status, scores, composite,
                                   reasoning, rationales, safety_flags, suggestions, winner, error, llm_call_id)
            SELECT r.id, @iterationId, r.output_id, r.other_output_id, @judgeConfigId, r.mode, r.pair_key, r.status, r.scores::jsonb, r.composite,
                   r.reasoning, r.rationales::jsonb, ARRAY(SELECT jsonb_array_elements_text(r.safety_flags::jsonb)), r.suggestions::jsonb,
                   r.winner, r.error, r.llm_call_id
            FROM unnest(@ids::uuid[], @outputIds::uuid[], @otherOutputIds::uuid[], @modes::text[], @pairKeys::text[], @statuses::text[],
                        @scores::text[], @composites::float8[], @reasonings::text[], @rationales::text[], @safetyFlags::text[],
                        @suggestions::text[], @winners::text[], @errors::text[], @callIds::uuid[])
                 AS r(id, output_id, other_output_id, mode, pair_key, status, scores, composite, reasoning, rationales, safety_flags,
                      suggestions, winner, error, llm_call_id)
            ON CONFLICT (output_id, judge_config_id, mode, pair_key) DO NOTHING
            """,
            new
            {
                iterationId,
                judgeConfigId,
                ids = rows.Select(r => r.Id).ToArray(),
                outputIds = rows.Select(r => r.OutputId).ToArray(),
                otherOutputIds = rows.Select(r => r.OtherOutputId).ToArray(),
                modes = rows.Select(r => r.Mode).ToArray(),
                pairKeys = rows.Select(r => r.PairKey).ToArray(),
                statuses = rows.Select(r => r.Status).ToArray(),
                scores = rows.Select(r => r.Scores).ToArray(),
                composites = rows.Select(r => r.Composite).ToArray(),
                reasonings = rows.Select(r => r.Reasoning).ToArray(),
                rationales = rows.Select(r => r.Rationales).ToArray(),
                safetyFlags = rows.Select(r => r.SafetyFlags).ToArray(),
                suggestions = rows.Select(r => r.Suggestions).ToArray(),
                winners = rows.Select(r => r.Winner).ToArray(),
                errors = rows.Select(r => r.Error).ToArray(),
                callIds = rows.Select(r => r.CallId).ToArray(),
            }, cancellationToken: cancellationToken));
    }

    private async Task JudgePairsAsync(NpgsqlConnection connection, Guid iterationId, JudgeRow judge, Rubric rubric, Guid modelRunId, int from,
        int count, string chunkKey, CancellationToken cancellationToken)
    {
        var todo = (await connection.QueryAsync<PairItem>(new CommandDefinition($"""
            WITH pairs AS ({WorkProgress.PairsSql(WorkProgress.ChunkFilter)})
            SELECT p.first_id, p.second_id, p.pair_key, cv.input::text AS input, a.text AS first_text, b.text AS second_text,
                   a.tool_calls::text AS first_tool_calls, b.tool_calls::text AS second_tool_calls
            FROM pairs p
            JOIN outputs a ON a.id = p.first_id
            JOIN outputs b ON b.id = p.second_id
            JOIN case_versions cv ON cv.case_id = a.case_id AND cv.version = a.case_version
            WHERE NOT EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = p.first_id AND j.judge_config_id = @judgeConfigId
                              AND j.mode = 'pairwise' AND j.pair_key = p.pair_key)
            ORDER BY p.position, p.sample, p.pair_key
            """, new { iterationId, judge.JudgeConfigId, modelRunId, from, count }, cancellationToken: cancellationToken))).ToList();
        await connection.CloseAsync();

        await JudgeAllAsync(iterationId, judge, chunkKey, todo, item => PairwiseRequest(iterationId, judge, rubric, item),
            (item, request, answer, ct) => JudgePairAsync(judge, item, request, answer, ct), cancellationToken);
    }

    private LlmRequest PairwiseRequest(Guid iterationId, JudgeRow judge, Rubric rubric, PairItem item)
    {
        var messages = PairwisePrompt.Build(judge.Goal, rubric, item.Input, JudgedText.WithToolCalls(item.FirstText, item.FirstToolCalls),
            JudgedText.WithToolCalls(item.SecondText, item.SecondToolCalls), judge.SystemPrompt, _fence);
        var spec = new LlmCallSpec(judge.ProjectId, judge.CredentialId, judge.Model, "judge")
        {
            BypassCache = judge.BypassCache,
            ExperimentId = judge.ExperimentId,
            IterationId = iterationId,
            CallKey = $"judge:{iterationId}:{judge.JudgeConfigId}:pairwise:{item.PairKey}{Generation(judge)}",
        };
        return new LlmRequest(spec, messages, Pairwise.Options(new ChatOptions { Temperature = 0 }));
    }

    private async Task<JudgmentRow?> JudgePairAsync(JudgeRow judge, PairItem item, LlmRequest request, LlmPreResolved answer,
        CancellationToken cancellationToken)
    {
        if (answer.Result is null && !await _budget.AllowsCallAsync(judge.ExperimentId, request.Spec.IterationId!.Value, cancellationToken))
        {
            return null;
        }

        var structured = await StructuredOutput.CompleteAsync(_gateway, answer.CallSpec, request.Messages, Pairwise,
            new ChatOptions { Temperature = 0 }, answer.Result, cancellationToken);
        RecordSpend(judge, structured.Call);
        var verdict = structured.Value;
        return new JudgmentRow(Ids.New(), item.FirstId, item.SecondId, "pairwise", item.PairKey, verdict is null ? "failed" : "succeeded",
            "{}", null, verdict?.Reasoning ?? "", "{}", "[]", "[]", verdict is null ? null : PairwiseWinner.Parse(verdict.Winner).Winner,
            verdict is null ? structured.Error : null, structured.Call.CallId);
    }

    private LlmRequest PointwiseRequest(Guid iterationId, JudgeRow judge, Rubric rubric, SafetyConfig safety, StructuredCall<PointwiseVerdict> verdict,
        JudgeItem item)
    {
        var messages = JudgePrompt.Build(judge.Goal, rubric, item.Input, item.ExpectedOutput, JudgedText.WithToolCalls(item.Output, item.ToolCalls),
            judge.SystemPrompt, _fence, safety);
        var spec = new LlmCallSpec(judge.ProjectId, judge.CredentialId, judge.Model, "judge")
        {
            BypassCache = judge.BypassCache,
            ExperimentId = judge.ExperimentId,
            IterationId = iterationId,
            CallKey = $"judge:{iterationId}:{item.OutputId}:{judge.JudgeConfigId}:pointwise{Generation(judge)}",
        };
        return new LlmRequest(spec, messages, verdict.Options(new ChatOptions { Temperature = 0 }));
    }

    private async Task<JudgmentRow?> JudgeOneAsync(Guid iterationId, JudgeRow judge, Rubric rubric, StructuredCall<PointwiseVerdict> verdictCall,
        JudgeItem item, LlmRequest request,
        LlmPreResolved answer, CancellationToken cancellationToken)
    {
        if (answer.Result is null && !await _budget.AllowsCallAsync(judge.ExperimentId, iterationId, cancellationToken))
        {
            return null;
        }

        var structured = await StructuredOutput.CompleteAsync(_gateway, answer.CallSpec, request.Messages, verdictCall,
            new ChatOptions { Temperature = 0 }, answer.Result, cancellationToken);
        RecordSpend(judge, structured.Call);
        var verdict = structured.Value;
        return new JudgmentRow(Ids.New(), item.OutputId, null, "pointwise", "", verdict is null ? "failed" : "succeeded",
            JsonSerializer.Serialize(verdict?.Scores.ToDictionary(s => s.Criterion, s => s.Score) ?? [], Json),
            verdict is null ? null : VerdictParser.Composite(verdict, rubric),
            verdict?.Reasoning ?? "",
            JsonSerializer.Serialize(verdict?.Scores.ToDictionary(s => s.Criterion, s => s.Rationale) ?? [], Json),
            JsonSerializer.Serialize(verdict?.SafetyFlags.ToArray() ?? [], Json),
            JsonSerializer.Serialize(verdict?.Suggestions ?? [], Json),
            null, verdict is null ? structured.Error : null, structured.Call.CallId);
    }

    private void RecordSpend(JudgeRow judge, LlmResult call)
    {
        if (!call.Reused && !call.CacheHit)
        {
            _budget.Record(judge.ExperimentId, call.CostUsd, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    // A re-judge is a new generation of call keys (and bypasses the response cache): its calls are new calls, never a replay.
    private static string Generation(JudgeRow judge) =>
        judge.JudgeGeneration == 0 ? "" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $":g{judge.JudgeGeneration}");

    private sealed record JudgeRow(Guid JudgeConfigId, string Kind, Guid CredentialId, string Model, string SystemPrompt, Guid ExperimentId,
        Guid ProjectId, string Goal, string Rubric, string Safety, string Status, bool IsPaused, bool BypassCache, int JudgeGeneration);

    private sealed record PairItem(Guid FirstId, Guid SecondId, string PairKey, string Input, string FirstText, string SecondText,
        string? FirstToolCalls, string? SecondToolCalls);

    private sealed record JudgeItem(Guid OutputId, string Input, string? ExpectedOutput, string Output, string? ToolCalls);

    private sealed record JudgmentRow(Guid Id, Guid OutputId, Guid? OtherOutputId, string Mode, string PairKey, string Status, string Scores,
        double? Composite, string Reasoning, string Rationales, string SafetyFlags, string Suggestions, string? Winner, string? Error, Guid CallId);
}
