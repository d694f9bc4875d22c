using System.Text.Json;
using Dapper;
using Edison.Core.Events;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Persistence;
using Edison.Core.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Judging;

/// <summary>Scores one chunk of an iteration's outputs (pointwise) or pairs (pairwise) with one judge, writing each judgment exactly once.</summary>
public sealed class JudgeRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly ChatResponseFormat VerdictFormat = ChatResponseFormat.ForJsonSchema<PointwiseVerdict>(Json);
    private static readonly ChatResponseFormat PairwiseFormat = ChatResponseFormat.ForJsonSchema<PairwiseVerdict>(Json);
    private readonly NpgsqlDataSource _dataSource;
    private readonly LlmGateway _gateway;
    private readonly IEventBus _events;
    private readonly WorkProgress _progress;
    private readonly IOptions<LlmOptions> _options;
    private readonly bool _fence;
    private readonly BudgetGuard _budget;

    internal JudgeRunner(NpgsqlDataSource dataSource, LlmGateway gateway, IEventBus events, WorkProgress progress, IOptions<LlmOptions> options,
        IOptions<JudgingOptions> judging)
    {
        _fence = judging.Value.FenceUntrustedText;
        _budget = new BudgetGuard(dataSource, events);
        _dataSource = dataSource;
        _gateway = gateway;
        _events = events;
        _progress = progress;
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
                   e.rubric::text AS rubric, e.safety_config::text AS safety, i.status, i.is_paused, i.scheduled_run AS bypass_cache
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
        if (judge.Kind == JudgeKinds.Pairwise)
        {
            await JudgePairsAsync(connection, iterationId, judge, rubric, modelRunId, from, count, cancellationToken);
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

        await IterationWatch.ForEachAsync(_dataSource, iterationId, todo, _options.Value.ChunkConcurrency,
            (item, ct) => JudgeOneAsync(iterationId, judge, rubric, safety, item, ct), cancellationToken);
        await PublishProgressAsync(iterationId, judge, cancellationToken);
    }

    private async Task PublishProgressAsync(Guid iterationId, JudgeRow judge, CancellationToken cancellationToken)
    {
        var (done, total) = await _progress.JudgmentsForProgressAsync(iterationId, cancellationToken);
        await _events.PublishAsync(new ExperimentEvent(judge.ExperimentId, iterationId, ExperimentEvent.Progress, IterationStatus.Judging,
            done, total) { CostUsd = await _progress.CostAsync(iterationId, cancellationToken) }, cancellationToken);
    }

    private async Task JudgePairsAsync(NpgsqlConnection connection, Guid iterationId, JudgeRow judge, Rubric rubric, Guid modelRunId, int from,
        int count, CancellationToken cancellationToken)
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

        await IterationWatch.ForEachAsync(_dataSource, iterationId, todo, _options.Value.ChunkConcurrency,
            (item, ct) => JudgePairAsync(iterationId, judge, rubric, item, ct), cancellationToken);
        await PublishProgressAsync(iterationId, judge, cancellationToken);
    }

    private async Task JudgePairAsync(Guid iterationId, JudgeRow judge, Rubric rubric, PairItem item, CancellationToken cancellationToken)
    {
        if (!await _budget.AllowsCallAsync(judge.ExperimentId, iterationId, cancellationToken))
        {
            return;
        }

        var messages = PairwisePrompt.Build(judge.Goal, rubric, item.Input, JudgedText.WithToolCalls(item.FirstText, item.FirstToolCalls),
            JudgedText.WithToolCalls(item.SecondText, item.SecondToolCalls), judge.SystemPrompt, _fence);
        var spec = new LlmCallSpec(judge.ProjectId, judge.CredentialId, judge.Model, "judge")
        {
            BypassCache = judge.BypassCache,
            ExperimentId = judge.ExperimentId,
            IterationId = iterationId,
            CallKey = $"judge:{iterationId}:{judge.JudgeConfigId}:pairwise:{item.PairKey}",
        };
        var structured = await StructuredOutput.CompleteAsync(_gateway, spec, messages, PairwiseFormat, ParsePairwise,
            new ChatOptions { Temperature = 0 }, cancellationToken);
        RecordSpend(judge, structured.Call);
        var verdict = structured.Value;

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO judgments (id, iteration_id, output_id, other_output_id, judge_config_id, mode, pair_key, status, reasoning, winner,
                                   error, llm_call_id)
            VALUES (@id, @iterationId, @firstId, @secondId, @judgeConfigId, 'pairwise', @pairKey, @status, @reasoning, @winner, @error, @callId)
            ON CONFLICT (output_id, judge_config_id, mode, pair_key) DO NOTHING
            """,
            new
            {
                id = Ids.New(), iterationId, item.FirstId, item.SecondId, judge.JudgeConfigId, item.PairKey,
                status = verdict is null ? "failed" : "succeeded", reasoning = verdict?.Reasoning ?? "",
                winner = verdict is null ? null : PairwiseWinner.Parse(verdict.Winner).Winner,
                error = verdict is null ? structured.Error : null, callId = structured.Call.CallId,
            }, cancellationToken: cancellationToken));
    }

    private static (PairwiseVerdict? Value, string? Error) ParsePairwise(string text)
    {
        PairwiseVerdict? verdict;
        try
        {
            verdict = JsonSerializer.Deserialize<PairwiseVerdict>(text.Trim(), Json);
        }
        catch (JsonException ex)
        {
            return (null, $"The judge's answer was not valid JSON ({ex.Message.Split(" Path:")[0]}).");
        }

        if (verdict is null)
        {
            return (null, "The judge's answer was empty.");
        }

        var (_, error) = PairwiseWinner.Parse(verdict.Winner);
        return error is null ? (verdict with { Reasoning = verdict.Reasoning ?? "" }, null) : (null, error);
    }

    private async Task JudgeOneAsync(Guid iterationId, JudgeRow judge, Rubric rubric, SafetyConfig safety, JudgeItem item,
        CancellationToken cancellationToken)
    {
        if (!await _budget.AllowsCallAsync(judge.ExperimentId, iterationId, cancellationToken))
        {
            return;
        }

        var messages = JudgePrompt.Build(judge.Goal, rubric, item.Input, item.ExpectedOutput, JudgedText.WithToolCalls(item.Output, item.ToolCalls),
            judge.SystemPrompt, _fence, safety);
        var spec = new LlmCallSpec(judge.ProjectId, judge.CredentialId, judge.Model, "judge")
        {
            BypassCache = judge.BypassCache,
            ExperimentId = judge.ExperimentId,
            IterationId = iterationId,
            CallKey = $"judge:{iterationId}:{item.OutputId}:{judge.JudgeConfigId}:pointwise",
        };
        var structured = await StructuredOutput.CompleteAsync(_gateway, spec, messages, VerdictFormat,
            text => VerdictParser.Parse(text, rubric), new ChatOptions { Temperature = 0 }, cancellationToken);
        RecordSpend(judge, structured.Call);
        var verdict = structured.Value;
        var error = structured.Error;
        var result = structured.Call;

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO judgments (id, iteration_id, output_id, judge_config_id, mode, pair_key, status, scores, composite, reasoning, rationales,
                                   safety_flags, suggestions, error, llm_call_id)
            VALUES (@id, @iterationId, @outputId, @judgeConfigId, 'pointwise', '', @status, @scores::jsonb, @composite, @reasoning, @rationales::jsonb,
                    @safetyFlags, @suggestions::jsonb, @error, @callId)
            ON CONFLICT (output_id, judge_config_id, mode, pair_key) DO NOTHING
            """,
            new
            {
                id = Ids.New(), iterationId, item.OutputId, judge.JudgeConfigId, status = verdict is null ? "failed" : "succeeded",
                scores = JsonSerializer.Serialize(verdict?.Scores.ToDictionary(s => s.Criterion, s => s.Score) ?? [], Json),
                composite = verdict is null ? (double?)null : VerdictParser.Composite(verdict, rubric),
                reasoning = verdict?.Reasoning ?? "",
                rationales = JsonSerializer.Serialize(verdict?.Scores.ToDictionary(s => s.Criterion, s => s.Rationale) ?? [], Json),
                safetyFlags = verdict?.SafetyFlags.ToArray() ?? [],
                suggestions = JsonSerializer.Serialize(verdict?.Suggestions ?? [], Json),
                error = verdict is null ? error : null,
                callId = result.CallId,
            }, cancellationToken: cancellationToken));
    }

    private void RecordSpend(JudgeRow judge, LlmResult call)
    {
        if (!call.Reused && !call.CacheHit)
        {
            _budget.Record(judge.ExperimentId, call.CostUsd, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    private sealed record JudgeRow(Guid JudgeConfigId, string Kind, Guid CredentialId, string Model, string SystemPrompt, Guid ExperimentId,
        Guid ProjectId, string Goal, string Rubric, string Safety, string Status, bool IsPaused, bool BypassCache);

    private sealed record PairItem(Guid FirstId, Guid SecondId, string PairKey, string Input, string FirstText, string SecondText,
        string? FirstToolCalls, string? SecondToolCalls);

    private sealed record JudgeItem(Guid OutputId, string Input, string? ExpectedOutput, string Output, string? ToolCalls);
}
