using Dapper;
using Npgsql;

namespace Edison.Core.Llm;

internal sealed class LlmCallStore(NpgsqlDataSource dataSource)
{
    public async Task<LlmResult?> FindSucceededAsync(string callKey, CancellationToken cancellationToken) =>
        (await FindSucceededAsync([callKey], cancellationToken)).GetValueOrDefault(callKey);

    /// The recorded successes among the keys, by key, in one query.
    public async Task<Dictionary<string, LlmResult>> FindSucceededAsync(IReadOnlyCollection<string> callKeys, CancellationToken cancellationToken)
    {
        if (callKeys.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredCall>(new CommandDefinition("""
            SELECT id, call_key, response_text, finish_reason, input_tokens, output_tokens, cost_usd, latency_ms, attempts, price_known
            FROM llm_calls WHERE call_key = ANY(@callKeys) AND status = 'succeeded'
            """, new { callKeys = callKeys.ToArray() }, cancellationToken: cancellationToken));
        return rows.ToDictionary(row => row.CallKey, row => new LlmResult(row.Id, true, row.ResponseText ?? "", row.FinishReason, row.InputTokens,
            row.OutputTokens, row.CostUsd, row.LatencyMs, row.Attempts, null, null) { Reused = true, PriceKnown = row.PriceKnown },
            StringComparer.Ordinal);
    }

    /// <summary>
    /// Inserts keyed calls answered from the cache (distinct keys) in one statement, each replacing an earlier failure under
    /// its key like <see cref="RecordAsync"/>. Returns the row id by call key; a key another worker already recorded as a
    /// success is missing from it.
    /// </summary>
    public async Task<Dictionary<string, Guid>> RecordCacheHitsAsync(IReadOnlyList<LlmCallRecord> calls, CancellationToken cancellationToken)
    {
        if (calls.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var written = await connection.QueryAsync<(string CallKey, Guid Id)>(new CommandDefinition("""
            INSERT INTO llm_calls AS c (id, project_id, experiment_id, iteration_id, credential_id, provider, model, purpose, call_key,
                status, attempts, cache_hit, latency_ms, finish_reason, response_text, started_at, finished_at)
            SELECT r.id, r.project_id, r.experiment_id, r.iteration_id, r.credential_id, r.provider, r.model, r.purpose, r.call_key,
                'succeeded', 0, true, r.latency_ms, r.finish_reason, r.response_text, r.started_at, r.finished_at
            FROM unnest(@ids::uuid[], @projectIds::uuid[], @experimentIds::uuid[], @iterationIds::uuid[], @credentialIds::uuid[],
                        @providers::text[], @models::text[], @purposes::text[], @callKeys::text[], @latencies::int[], @finishReasons::text[],
                        @texts::text[], @startedAts::timestamptz[], @finishedAts::timestamptz[])
                 AS r(id, project_id, experiment_id, iteration_id, credential_id, provider, model, purpose, call_key, latency_ms,
                      finish_reason, response_text, started_at, finished_at)
            ON CONFLICT (call_key) DO UPDATE SET
                status = 'succeeded', cache_hit = true, input_tokens = 0, output_tokens = 0, cached_input_tokens = 0, reasoning_tokens = 0,
                latency_ms = EXCLUDED.latency_ms, finish_reason = EXCLUDED.finish_reason, response_text = EXCLUDED.response_text,
                error_class = NULL, error = NULL, finished_at = EXCLUDED.finished_at, first_token_ms = NULL, price_known = true
            WHERE c.status = 'failed'
            RETURNING c.call_key, c.id
            """,
            new
            {
                ids = calls.Select(c => c.Id).ToArray(),
                projectIds = calls.Select(c => c.Spec.ProjectId).ToArray(),
                experimentIds = calls.Select(c => c.Spec.ExperimentId).ToArray(),
                iterationIds = calls.Select(c => c.Spec.IterationId).ToArray(),
                credentialIds = calls.Select(c => c.Spec.CredentialId).ToArray(),
                providers = calls.Select(c => c.Provider).ToArray(),
                models = calls.Select(c => c.Spec.Model).ToArray(),
                purposes = calls.Select(c => c.Spec.Purpose).ToArray(),
                callKeys = calls.Select(c => c.Spec.CallKey).ToArray(),
                latencies = calls.Select(c => c.LatencyMs).ToArray(),
                finishReasons = calls.Select(c => c.FinishReason).ToArray(),
                texts = calls.Select(c => c.ResponseText).ToArray(),
                startedAts = calls.Select(c => c.StartedAt).ToArray(),
                finishedAts = calls.Select(c => c.FinishedAt).ToArray(),
            }, cancellationToken: cancellationToken));
        return written.ToDictionary(w => w.CallKey, w => w.Id, StringComparer.Ordinal);
    }

    /// Inserts the call; a keyed call replaces an earlier failure under the same key (keeping its id and adding its
    /// attempts and cost), never a success. Returns the row's id, or null when another worker already recorded a success.
    public async Task<Guid?> RecordAsync(LlmCallRecord call, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            INSERT INTO llm_calls (id, project_id, experiment_id, iteration_id, credential_id, provider, model, purpose, call_key,
                status, attempts, cache_hit, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, latency_ms,
                finish_reason, response_text, error_class, error, started_at, finished_at, price_known, first_token_ms)
            VALUES (@Id, @ProjectId, @ExperimentId, @IterationId, @CredentialId, @Provider, @Model, @Purpose, @CallKey,
                @Status, @Attempts, @CacheHit, @InputTokens, @OutputTokens, @CachedInputTokens, @ReasoningTokens, @CostUsd, @LatencyMs,
                @FinishReason, @ResponseText, @ErrorClass, @Error, @StartedAt, @FinishedAt, @PriceKnown, @FirstTokenMs)
            ON CONFLICT (call_key) DO UPDATE SET
                status = EXCLUDED.status, attempts = llm_calls.attempts + EXCLUDED.attempts, cache_hit = EXCLUDED.cache_hit,
                input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens,
                cached_input_tokens = EXCLUDED.cached_input_tokens, reasoning_tokens = EXCLUDED.reasoning_tokens,
                cost_usd = llm_calls.cost_usd + EXCLUDED.cost_usd, latency_ms = EXCLUDED.latency_ms,
                finish_reason = EXCLUDED.finish_reason, response_text = EXCLUDED.response_text,
                error_class = EXCLUDED.error_class, error = EXCLUDED.error, finished_at = EXCLUDED.finished_at,
                first_token_ms = EXCLUDED.first_token_ms,
                price_known = EXCLUDED.price_known
            WHERE llm_calls.status = 'failed'
            RETURNING id
            """,
            new
            {
                call.Id, call.Spec.ProjectId, call.Spec.ExperimentId, call.Spec.IterationId, call.Spec.CredentialId, call.Provider,
                call.Spec.Model, call.Spec.Purpose, call.Spec.CallKey, call.Status, call.Attempts, call.CacheHit, call.InputTokens, call.OutputTokens,
                call.CachedInputTokens, call.ReasoningTokens, call.CostUsd, call.LatencyMs, call.FinishReason, call.ResponseText,
                call.ErrorClass, call.Error, call.StartedAt, call.FinishedAt, call.PriceKnown, call.FirstTokenMs,
            }, cancellationToken: cancellationToken));
    }

    private sealed record StoredCall(Guid Id, string CallKey, string? ResponseText, string? FinishReason, int InputTokens, int OutputTokens,
        decimal CostUsd, int LatencyMs, int Attempts, bool PriceKnown);
}
