using System.Text.Json;
using Dapper;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Runs.Aggregation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edison.Core.ClosedLoop;

/// <summary>
/// Writes iterations.summary after aggregation: Edison's numeric sentences, then up to three sentences of commentary by the
/// experiment's refiner model (call key <c>summary:{iterationId}</c>). Commentary with digits, a failed call or no refiner
/// leaves the numbers alone, with a note; nothing here fails the loop.
/// </summary>
internal sealed partial class IterationSummaryWriter(NpgsqlDataSource dataSource, LlmGateway gateway, ILogger<IterationSummaryWriter> logger)
{
    public const string Purpose = "summary";

    public const string Instructions =
        "You comment on one iteration of a prompt-engineering experiment. Write two or three plain sentences: what improved, what "
        + "regressed, and what a person should look at next. Never write digits or numbers: Edison prints every figure itself, above "
        + "your sentences. Refer to figures in words, such as 'the composite' or 'the weakest criterion'.";

    private static readonly JsonSerializerOptions Json = LoopJson.Options;

    /// <summary>Stores the summary; returns it, or null when the iteration has no metrics yet or writing failed.</summary>
    public async Task<string?> WriteAsync(Guid iterationId, VersionComparison? comparison, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteCoreAsync(iterationId, comparison, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSummaryFailed(ex, iterationId);
            return null;
        }
    }

    private async Task<string?> WriteCoreAsync(Guid iterationId, VersionComparison? comparison, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var it = await connection.QuerySingleOrDefaultAsync<(Guid ExperimentId, Guid ProjectId, int Version, string? Metrics, string Goal,
            string RefinerConfig, decimal Cost)>(new CommandDefinition("""
            SELECT i.experiment_id, e.project_id, pv.version, i.metrics::text, e.goal, e.refiner_config::text,
                   (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE iteration_id = i.id AND purpose <> @Purpose)
            FROM iterations i JOIN experiments e ON e.id = i.experiment_id JOIN prompt_versions pv ON pv.id = i.prompt_version_id
            WHERE i.id = @iterationId
            """, new { iterationId, Purpose }, cancellationToken: cancellationToken));
        if (it.Metrics is null)
        {
            return null;
        }

        var metrics = JsonSerializer.Deserialize<IterationMetrics>(it.Metrics, Json)!;
        var numbers = SummaryText.Numbers(metrics, comparison, it.Version, it.Cost);
        var refiner = JsonSerializer.Deserialize<RefinerConfig>(it.RefinerConfig, Json) ?? new RefinerConfig();
        string? commentary = null;
        string? note = null;
        if (refiner.CredentialId is { } credentialId && !string.IsNullOrWhiteSpace(refiner.Model))
        {
            var spec = new LlmCallSpec(it.ProjectId, credentialId, refiner.Model, Purpose)
            {
                ExperimentId = it.ExperimentId,
                IterationId = iterationId,
                CallKey = $"summary:{iterationId}",
            };
            List<ChatMessage> messages =
            [
                new(ChatRole.System, Instructions),
                new(ChatRole.User, $"The experiment's goal: {it.Goal}\n\nThe figures, already shown to the reader:\n{numbers}\n\nWrite the commentary."),
            ];
            var result = await gateway.CompleteAsync(spec, messages, new ChatOptions { Temperature = 0 }, cancellationToken);
            (commentary, note) = result.Succeeded
                ? SummaryText.AcceptCommentary(result.Text)
                : (null, "the commentary call failed: " + (result.Error ?? "no answer"));
        }

        var summary = SummaryText.Combine(numbers, commentary, note);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE iterations SET summary = @summary WHERE id = @iterationId",
            new { summary, iterationId }, cancellationToken: cancellationToken));
        return summary;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the summary of iteration {IterationId}")]
    private partial void LogSummaryFailed(Exception exception, Guid iterationId);
}
