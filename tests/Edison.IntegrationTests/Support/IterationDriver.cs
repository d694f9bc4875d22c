using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Runs;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Support;

/// <summary>Runs an iteration's job bodies in-process, in order, for tests whose host records jobs instead of running them.</summary>
internal static class IterationDriver
{
    public static async Task<Guid> RunAsync(IServiceProvider services, Guid experimentId, CancellationToken cancellationToken)
    {
        var started = await services.GetRequiredService<IterationService>().StartAsync(await TestActors.OwnerOnAsync(services, ResourceKinds.Experiment, experimentId, cancellationToken), experimentId, cancellationToken);
        Assert.Null(started.Error);
        var iterationId = started.IterationId!.Value;
        var coordinator = services.GetRequiredService<IterationCoordinator>();
        var progress = services.GetRequiredService<WorkProgress>();
        await coordinator.AdvanceAsync(iterationId, cancellationToken);
        foreach (var (modelRunId, from, count, _) in await progress.IncompleteExecuteChunksAsync(iterationId, cancellationToken))
        {
            await services.GetRequiredService<ChunkExecutor>().ExecuteChunkAsync(modelRunId, from, count, cancellationToken);
        }

        await coordinator.AdvanceAsync(iterationId, cancellationToken);
        foreach (var (judgeConfigId, modelRunId, from, count, _) in await progress.IncompleteJudgeChunksAsync(iterationId, cancellationToken))
        {
            await services.GetRequiredService<JudgeRunner>().JudgeChunkAsync(iterationId, judgeConfigId, modelRunId, from, count,
                cancellationToken);
        }

        await coordinator.AdvanceAsync(iterationId, cancellationToken);
        return iterationId;
    }

    /// <summary>Each case's question mapped to its pointwise composite score.</summary>
    public static async Task<Dictionary<string, double?>> ScoresByQuestionAsync(Npgsql.NpgsqlDataSource dataSource, Guid iterationId,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Question, double? Score)>(new CommandDefinition("""
            SELECT cv.input ->> 'question', j.composite FROM judgments j JOIN outputs o ON o.id = j.output_id
            JOIN case_versions cv ON cv.case_id = o.case_id AND cv.version = o.case_version
            WHERE j.iteration_id = @iterationId AND j.mode = 'pointwise'
            """, new { iterationId }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Question, r => r.Score);
    }
}
