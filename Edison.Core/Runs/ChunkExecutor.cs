using System.Text.Json;
using Dapper;
using Edison.Core.Checks;
using Edison.Core.Events;
using Edison.Core.Llm;
using Edison.Core.Persistence;
using Edison.Core.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>Runs one chunk of cases through one model, writing each output exactly once.</summary>
public sealed class ChunkExecutor
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly NpgsqlDataSource _dataSource;
    private readonly LlmGateway _gateway;
    private readonly IEventBus _events;
    private readonly WorkProgress _progress;
    private readonly IOptions<LlmOptions> _options;
    private readonly BudgetGuard _budget;

    internal ChunkExecutor(NpgsqlDataSource dataSource, LlmGateway gateway, IEventBus events, WorkProgress progress, IOptions<LlmOptions> options,
        BudgetGuard budget)
    {
        _budget = budget;
        _dataSource = dataSource;
        _gateway = gateway;
        _events = events;
        _progress = progress;
        _options = options;
    }

    /// <summary>Executes the cases at positions [from, from + count) that have no output yet.</summary>
    internal async Task ExecuteChunkAsync(Guid modelRunId, int from, int count, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var run = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition("""
            SELECT mr.id AS model_run_id, mr.iteration_id, i.experiment_id, e.project_id, i.status, i.dataset_version_id,
                   mc.credential_id, mc.model, mc.parameters::text AS parameters, mc.samples_per_case, mc.seed, pv.template, pv.system_text,
                   pv.few_shots::text AS few_shots, e.checks::text AS checks, i.is_paused, i.scheduled_run AS bypass_cache,
                   pv.tools_schema::text AS tools_schema, pv.response_format::text AS response_format
            FROM model_runs mr
            JOIN iterations i ON i.id = mr.iteration_id
            JOIN experiments e ON e.id = i.experiment_id
            JOIN model_configs mc ON mc.id = mr.model_config_id
            JOIN prompt_versions pv ON pv.id = i.prompt_version_id
            WHERE mr.id = @modelRunId
            """, new { modelRunId }, cancellationToken: cancellationToken));
        if (run is null || run.Status != IterationStatus.Executing || run.IsPaused)
        {
            return;
        }

        if (!PromptTemplate.TryParse(run.Template, out var template, out var templateError))
        {
            throw new InvalidOperationException($"Prompt version of iteration {run.IterationId} does not parse: {templateError}");
        }

        var todo = (await connection.QueryAsync<WorkItem>(new CommandDefinition("""
            SELECT dvc.case_id, dvc.case_version, cv.input::text AS input, s.sample
            FROM dataset_version_cases dvc
            JOIN case_versions cv ON cv.case_id = dvc.case_id AND cv.version = dvc.case_version
            CROSS JOIN generate_series(0, @samples - 1) AS s(sample)
            WHERE dvc.dataset_version_id = @datasetVersionId AND dvc.position >= @from AND dvc.position < @from + @count
              AND NOT EXISTS (SELECT 1 FROM outputs o WHERE o.model_run_id = @modelRunId AND o.case_id = dvc.case_id AND o.sample = s.sample)
            ORDER BY dvc.position, s.sample
            """, new { run.DatasetVersionId, from, count, modelRunId, samples = run.SamplesPerCase }, cancellationToken: cancellationToken))).ToList();
        await connection.CloseAsync();

        var fewShots = JsonSerializer.Deserialize<List<FewShotPair>>(run.FewShots, Json) ?? [];
        var checks = JsonSerializer.Deserialize<List<CheckSpec>>(run.Checks, Json) ?? [];
        var output = new OutputShape(PromptOutputShape.ResponseFormat(run.ResponseFormat), PromptOutputShape.Tools(run.ToolsSchema));
        await IterationWatch.ForEachAsync(_dataSource, run.IterationId, todo, _options.Value.ChunkConcurrency,
            (item, ct) => ExecuteOneAsync(run, template!, fewShots, checks, output, item, ct), cancellationToken);

        var (done, total) = await _progress.OutputsAsync(run.IterationId, cancellationToken);
        await _events.PublishAsync(new ExperimentEvent(run.ExperimentId, run.IterationId, ExperimentEvent.Progress, IterationStatus.Executing,
            done, total) { CostUsd = await _progress.CostAsync(run.IterationId, cancellationToken) }, cancellationToken);
    }

    private async Task ExecuteOneAsync(RunRow run, PromptTemplate template, IReadOnlyList<FewShotPair> fewShots, IReadOnlyList<CheckSpec> checks,
        OutputShape output, WorkItem item, CancellationToken cancellationToken)
    {
        if (!await _budget.AllowsCallAsync(run.ExperimentId, run.IterationId, cancellationToken))
        {
            return;
        }

        var variables = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(item.Input)!;
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(run.SystemText))
        {
            messages.Add(new ChatMessage(ChatRole.System, run.SystemText));
        }

        foreach (var example in fewShots)
        {
            messages.Add(new ChatMessage(ChatRole.User, example.Input));
            messages.Add(new ChatMessage(ChatRole.Assistant, example.Output));
        }

        messages.Add(new ChatMessage(ChatRole.User, template.Render(variables)));
        var options = new ChatOptions
        {
            Seed = run.Seed is { } seed ? seed + item.Sample : null,
            ResponseFormat = output.ResponseFormat,
            Tools = output.Tools,
        };
        var spec = new LlmCallSpec(run.ProjectId, run.CredentialId, run.Model, "execute")
        {
            ExperimentId = run.ExperimentId,
            IterationId = run.IterationId,
            CallKey = $"exec:{run.IterationId}:{run.ModelRunId}:{item.CaseId}:{item.Sample}",
            Parameters = run.Parameters,
            SampleIndex = item.Sample,
            BypassCache = run.BypassCache,
        };
        var result = await _gateway.CompleteAsync(spec, messages, options, cancellationToken);
        if (!result.Reused && !result.CacheHit)
        {
            _budget.Record(run.ExperimentId, result.CostUsd, System.Diagnostics.Stopwatch.GetTimestamp());
        }

        var parsedJson = result.Succeeded && output.ResponseFormat is not null ? PromptOutputShape.ParsedJson(result.Text) : null;
        var checkResults = result.Succeeded ? CheckRunner.Run(checks, new OutputFacts(result.Text, result.LatencyMs, result.CostUsd)) : [];
        var pii = result.Succeeded ? PiiScanner.FlagNames(PiiScanner.Scan(result.Text)) : [];
        var truncated = result.FinishReason is "length" or "content_filter";

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outputs (id, model_run_id, case_id, case_version, sample, status, text, finish_reason, error,
                                 input_tokens, output_tokens, latency_ms, cost_usd, llm_call_id, checks, pii_flags, truncated, parsed_json)
            VALUES (@id, @modelRunId, @caseId, @caseVersion, @sample, @status, @text, @finishReason, @error,
                    @inputTokens, @outputTokens, @latencyMs, @costUsd, @callId, @checks::jsonb, @pii, @truncated, @parsedJson::jsonb)
            ON CONFLICT (model_run_id, case_id, sample) DO NOTHING
            """,
            new
            {
                id = Ids.New(), run.ModelRunId, item.CaseId, item.CaseVersion, item.Sample,
                status = result.Succeeded ? "succeeded" : "failed", text = result.Text, result.FinishReason, result.Error,
                result.InputTokens, result.OutputTokens, result.LatencyMs, result.CostUsd, result.CallId,
                checks = JsonSerializer.Serialize(checkResults, Json), pii = pii.ToArray(), truncated, parsedJson,
            }, cancellationToken: cancellationToken));
    }

    private sealed record RunRow(Guid ModelRunId, Guid IterationId, Guid ExperimentId, Guid ProjectId, string Status, Guid DatasetVersionId,
        Guid CredentialId, string Model, string Parameters, int SamplesPerCase, int? Seed, string Template, string SystemText, string FewShots,
        string Checks, bool IsPaused, bool BypassCache, string? ToolsSchema, string? ResponseFormat);

    private sealed record OutputShape(ChatResponseFormat? ResponseFormat, IList<AITool>? Tools);

    private sealed record FewShotPair(string Input, string Output);

    private sealed record WorkItem(Guid CaseId, int CaseVersion, string Input, int Sample);
}
