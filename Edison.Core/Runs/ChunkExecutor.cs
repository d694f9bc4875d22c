using System.Text.Json;
using Dapper;
using Edison.Core.Checks;
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
    private readonly ChunkCompletion _completion;
    private readonly IOptions<LlmOptions> _options;
    private readonly BudgetGuard _budget;

    internal ChunkExecutor(NpgsqlDataSource dataSource, LlmGateway gateway, ChunkCompletion completion, IOptions<LlmOptions> options,
        BudgetGuard budget)
    {
        _budget = budget;
        _dataSource = dataSource;
        _gateway = gateway;
        _completion = completion;
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
        // A case whose render passes a template limit fails in words and is never sent (nor re-rendered after a crash: its row exists).
        var rendered = todo.Select(item => (Item: item, Request: TryRequest(run, template!, fewShots, output, item, out var error), Error: error)).ToList();
        var refused = rendered.Where(r => r.Request is null).Select(r => RefusedRow(r.Item, r.Error!)).ToList();
        await InsertAsync(run.ModelRunId, refused, cancellationToken);
        todo = rendered.Where(r => r.Request is not null).Select(r => r.Item).ToList();
        var requests = rendered.Where(r => r.Request is not null).Select(r => r.Request!).ToList();
        var answers = await _gateway.ResolveWithoutProviderAsync(requests, cancellationToken);
        // Answers that needed no provider are stored in one statement at once; each provider answer is stored as it
        // arrives, so a person watching sees outputs appear and a crash loses none of them.
        var answered = Enumerable.Range(0, todo.Count).Where(i => answers[i].Result is not null).ToList();
        await InsertAsync(run.ModelRunId, answered.Select(i => Row(todo[i], answers[i].Result!, checks, output)).ToList(), cancellationToken);
        var written = answered.Count + refused.Count;
        var total = todo.Count + refused.Count;
        await IterationWatch.ForEachAsync(_dataSource, run.IterationId, Enumerable.Range(0, todo.Count).Where(i => answers[i].Result is null),
            _options.Value.ChunkConcurrency, async (i, ct) =>
            {
                if (await CallAsync(run, requests[i], answers[i].CallSpec, ct) is { } result)
                {
                    await InsertAsync(run.ModelRunId, [Row(todo[i], result, checks, output)], ct);
                    Interlocked.Increment(ref written);
                }
            }, cancellationToken);

        await _completion.FinishAsync(run.ExperimentId, run.IterationId, WorkChunkLedger.ExecutePhase, WorkChunkLedger.ExecuteKey(modelRunId, from),
            written == total, cancellationToken);
    }

    private static LlmRequest? TryRequest(RunRow run, PromptTemplate template, IReadOnlyList<FewShotPair> fewShots, OutputShape output, WorkItem item,
        out string? error)
    {
        var variables = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(item.Input)!;
        if (!template.TryRender(variables, out var prompt, out error))
        {
            return null;
        }

        return Request(run, prompt!, fewShots, output, item);
    }

    private static OutputRow RefusedRow(WorkItem item, string error) => new(Ids.New(), item.CaseId, item.CaseVersion, item.Sample, "failed", "", null,
        $"The prompt was not sent: {error}", 0, 0, 0, 0m, null, "[]", "[]", false, null);

    private static LlmRequest Request(RunRow run, string prompt, IReadOnlyList<FewShotPair> fewShots, OutputShape output, WorkItem item)
    {
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

        messages.Add(new ChatMessage(ChatRole.User, prompt));
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
        return new LlmRequest(spec, messages, options);
    }

    /// The provider's answer; null when the budget stopped the call.
    private async Task<LlmResult?> CallAsync(RunRow run, LlmRequest request, LlmCallSpec spec, CancellationToken cancellationToken)
    {
        if (!await _budget.AllowsCallAsync(run.ExperimentId, run.IterationId, cancellationToken))
        {
            return null;
        }

        var result = await _gateway.CompleteAsync(spec, request.Messages, request.Options, cancellationToken);
        if (!result.Reused && !result.CacheHit)
        {
            _budget.Record(run.ExperimentId, result.CostUsd, System.Diagnostics.Stopwatch.GetTimestamp());
        }

        return result;
    }

    private static OutputRow Row(WorkItem item, LlmResult result, IReadOnlyList<CheckSpec> checks, OutputShape output)
    {
        var parsedJson = result.Succeeded && output.ResponseFormat is not null ? PromptOutputShape.ParsedJson(result.Text) : null;
        var checkResults = result.Succeeded ? CheckRunner.Run(checks, new OutputFacts(result.Text, result.LatencyMs, result.CostUsd)) : [];
        var pii = result.Succeeded ? PiiScanner.FlagNames(PiiScanner.Scan(result.Text)) : [];
        return new OutputRow(Ids.New(), item.CaseId, item.CaseVersion, item.Sample, result.Succeeded ? "succeeded" : "failed", result.Text,
            result.FinishReason, result.Error, result.InputTokens, result.OutputTokens, result.LatencyMs, result.CostUsd, result.CallId,
            JsonSerializer.Serialize(checkResults, Json), JsonSerializer.Serialize(pii, Json), result.FinishReason is "length" or "content_filter",
            parsedJson);
    }

    /// Outputs in one statement (a chunk's pre-answered ones together: per-row inserts cost a round trip, a commit and
    /// foreign-key locks each).
    private async Task InsertAsync(Guid modelRunId, IReadOnlyList<OutputRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outputs (id, model_run_id, case_id, case_version, sample, status, text, finish_reason, error,
                                 input_tokens, output_tokens, latency_ms, cost_usd, llm_call_id, checks, pii_flags, truncated, parsed_json)
            SELECT r.id, @modelRunId, r.case_id, r.case_version, r.sample, r.status, r.text, r.finish_reason, r.error,
                   r.input_tokens, r.output_tokens, r.latency_ms, r.cost_usd, r.llm_call_id, r.checks::jsonb,
                   ARRAY(SELECT jsonb_array_elements_text(r.pii::jsonb)), r.truncated, r.parsed_json::jsonb
            FROM unnest(@ids::uuid[], @caseIds::uuid[], @caseVersions::int[], @samples::int[], @statuses::text[], @texts::text[],
                        @finishReasons::text[], @errors::text[], @inputTokens::int[], @outputTokens::int[], @latencies::int[], @costs::numeric[],
                        @callIds::uuid[], @checks::text[], @pii::text[], @truncated::boolean[], @parsedJson::text[])
                 AS r(id, case_id, case_version, sample, status, text, finish_reason, error, input_tokens, output_tokens, latency_ms,
                      cost_usd, llm_call_id, checks, pii, truncated, parsed_json)
            ON CONFLICT (model_run_id, case_id, sample) DO NOTHING
            """,
            new
            {
                modelRunId,
                ids = rows.Select(r => r.Id).ToArray(),
                caseIds = rows.Select(r => r.CaseId).ToArray(),
                caseVersions = rows.Select(r => r.CaseVersion).ToArray(),
                samples = rows.Select(r => r.Sample).ToArray(),
                statuses = rows.Select(r => r.Status).ToArray(),
                texts = rows.Select(r => r.Text).ToArray(),
                finishReasons = rows.Select(r => r.FinishReason).ToArray(),
                errors = rows.Select(r => r.Error).ToArray(),
                inputTokens = rows.Select(r => r.InputTokens).ToArray(),
                outputTokens = rows.Select(r => r.OutputTokens).ToArray(),
                latencies = rows.Select(r => r.LatencyMs).ToArray(),
                costs = rows.Select(r => r.CostUsd).ToArray(),
                callIds = rows.Select(r => r.CallId).ToArray(),
                checks = rows.Select(r => r.Checks).ToArray(),
                pii = rows.Select(r => r.PiiFlags).ToArray(),
                truncated = rows.Select(r => r.Truncated).ToArray(),
                parsedJson = rows.Select(r => r.ParsedJson).ToArray(),
            }, cancellationToken: cancellationToken));
    }

    private sealed record OutputRow(Guid Id, Guid CaseId, int CaseVersion, int Sample, string Status, string Text, string? FinishReason,
        string? Error, int InputTokens, int OutputTokens, int LatencyMs, decimal CostUsd, Guid? CallId, string Checks, string PiiFlags,
        bool Truncated, string? ParsedJson);

    private sealed record RunRow(Guid ModelRunId, Guid IterationId, Guid ExperimentId, Guid ProjectId, string Status, Guid DatasetVersionId,
        Guid CredentialId, string Model, string Parameters, int SamplesPerCase, int? Seed, string Template, string SystemText, string FewShots,
        string Checks, bool IsPaused, bool BypassCache, string? ToolsSchema, string? ResponseFormat);

    private sealed record OutputShape(ChatResponseFormat? ResponseFormat, IList<AITool>? Tools);

    private sealed record FewShotPair(string Input, string Output);

    private sealed record WorkItem(Guid CaseId, int CaseVersion, string Input, int Sample);
}
