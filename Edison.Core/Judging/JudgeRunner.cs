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

/// <summary>Scores one chunk of an iteration's outputs with one pointwise judge, writing each judgment exactly once.</summary>
public sealed class JudgeRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly ChatResponseFormat VerdictFormat = ChatResponseFormat.ForJsonSchema<PointwiseVerdict>(Json);
    private readonly NpgsqlDataSource _dataSource;
    private readonly LlmGateway _gateway;
    private readonly IEventBus _events;
    private readonly WorkProgress _progress;
    private readonly IOptions<LlmOptions> _options;

    internal JudgeRunner(NpgsqlDataSource dataSource, LlmGateway gateway, IEventBus events, WorkProgress progress, IOptions<LlmOptions> options)
    {
        _dataSource = dataSource;
        _gateway = gateway;
        _events = events;
        _progress = progress;
        _options = options;
    }

    /// <summary>Judges the outputs with index [from, from + count) that this judge has not judged yet.</summary>
    public async Task JudgeChunkAsync(Guid iterationId, Guid judgeConfigId, int from, int count, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var judge = await connection.QuerySingleOrDefaultAsync<JudgeRow>(new CommandDefinition("""
            SELECT jc.id AS judge_config_id, jc.credential_id, jc.model, jc.system_prompt, i.experiment_id, e.project_id, e.goal,
                   e.rubric::text AS rubric, i.status
            FROM judge_configs jc
            JOIN iterations i ON i.id = @iterationId AND i.experiment_id = jc.experiment_id
            JOIN experiments e ON e.id = i.experiment_id
            WHERE jc.id = @judgeConfigId
            """, new { iterationId, judgeConfigId }, cancellationToken: cancellationToken));
        if (judge is null || judge.Status != IterationStatus.Judging)
        {
            return;
        }

        var rubric = JsonSerializer.Deserialize<Rubric>(judge.Rubric, Json)!;
        var todo = (await connection.QueryAsync<JudgeItem>(new CommandDefinition($"""
            WITH indexed AS ({WorkProgress.JudgeableOutputsSql})
            SELECT o.id AS output_id, cv.input::text AS input, cv.expected_output, o.text AS output
            FROM indexed x
            JOIN outputs o ON o.id = x.output_id
            JOIN case_versions cv ON cv.case_id = o.case_id AND cv.version = o.case_version
            WHERE x.idx >= @from AND x.idx < @from + @count
              AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.output_id = o.id AND j.judge_config_id = @judgeConfigId
                              AND j.mode = 'pointwise' AND j.pair_key = '')
            ORDER BY x.idx
            """, new { iterationId, judgeConfigId, from, count }, cancellationToken: cancellationToken))).ToList();
        await connection.CloseAsync();

        await Parallel.ForEachAsync(todo, new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.Value.ChunkConcurrency,
            CancellationToken = cancellationToken,
        }, async (item, ct) => await JudgeOneAsync(iterationId, judge, rubric, item, ct));

        var (done, total) = await _progress.JudgmentsAsync(iterationId, cancellationToken);
        await _events.PublishAsync(new ExperimentEvent(judge.ExperimentId, iterationId, ExperimentEvent.Progress, IterationStatus.Judging,
            done, total), cancellationToken);
    }

    private async Task JudgeOneAsync(Guid iterationId, JudgeRow judge, Rubric rubric, JudgeItem item, CancellationToken cancellationToken)
    {
        var messages = JudgePrompt.Build(judge.Goal, rubric, item.Input, item.ExpectedOutput, item.Output, judge.SystemPrompt);
        var spec = new LlmCallSpec(judge.ProjectId, judge.CredentialId, judge.Model, "judge")
        {
            ExperimentId = judge.ExperimentId,
            IterationId = iterationId,
            CallKey = $"judge:{iterationId}:{item.OutputId}:{judge.JudgeConfigId}:pointwise",
        };
        var structured = await StructuredOutput.CompleteAsync(_gateway, spec, messages, VerdictFormat,
            text => VerdictParser.Parse(text, rubric), new ChatOptions { Temperature = 0 }, cancellationToken);
        var verdict = structured.Value;
        var error = structured.Error;
        var result = structured.Call;

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO judgments (id, output_id, judge_config_id, mode, pair_key, status, scores, composite, reasoning, rationales,
                                   safety_flags, suggestions, error, llm_call_id)
            VALUES (@id, @outputId, @judgeConfigId, 'pointwise', '', @status, @scores::jsonb, @composite, @reasoning, @rationales::jsonb,
                    @safetyFlags, @suggestions::jsonb, @error, @callId)
            ON CONFLICT (output_id, judge_config_id, mode, pair_key) DO NOTHING
            """,
            new
            {
                id = Ids.New(), item.OutputId, judge.JudgeConfigId, status = verdict is null ? "failed" : "succeeded",
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

    private sealed record JudgeRow(Guid JudgeConfigId, Guid CredentialId, string Model, string SystemPrompt, Guid ExperimentId,
        Guid ProjectId, string Goal, string Rubric, string Status);

    private sealed record JudgeItem(Guid OutputId, string Input, string? ExpectedOutput, string Output);
}
