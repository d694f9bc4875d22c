using Dapper;
using Npgsql;

namespace Edison.Core.Llm;

internal sealed class LlmCallStore(NpgsqlDataSource dataSource)
{
    public async Task<LlmResult?> FindSucceededAsync(string callKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<StoredCall>(new CommandDefinition("""
            SELECT id, response_text, finish_reason, input_tokens, output_tokens, cost_usd, latency_ms, attempts, price_known
            FROM llm_calls WHERE call_key = @callKey AND status = 'succeeded'
            """, new { callKey }, cancellationToken: cancellationToken));
        return row is null ? null : new LlmResult(row.Id, true, row.ResponseText ?? "", row.FinishReason, row.InputTokens,
            row.OutputTokens, row.CostUsd, row.LatencyMs, row.Attempts, null, null) { Reused = true, PriceKnown = row.PriceKnown };
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

    private sealed record StoredCall(Guid Id, string? ResponseText, string? FinishReason, int InputTokens, int OutputTokens,
        decimal CostUsd, int LatencyMs, int Attempts, bool PriceKnown);
}
