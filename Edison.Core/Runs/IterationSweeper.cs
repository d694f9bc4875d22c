using Dapper;
using Edison.Core.Jobs;
using Npgsql;

namespace Edison.Core.Runs;

/// <summary>Asks a worker to advance every unfinished iteration; cheap, because advancing finished work is a no-op.</summary>
public sealed class IterationSweeper
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IJobScheduler _jobs;

    internal IterationSweeper(NpgsqlDataSource dataSource, IJobScheduler jobs)
    {
        _dataSource = dataSource;
        _jobs = jobs;
    }

    /// <summary>Schedules an advance for each iteration that is not completed, failed or cancelled.</summary>
    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var active = await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM iterations WHERE status IN ('pending', 'executing', 'judging', 'aggregating', 'refining', 'reviewing') AND NOT is_paused",
            cancellationToken: cancellationToken));
        foreach (var iterationId in active)
        {
            await _jobs.EnqueueAsync(new JobRequest(WorkerJobs.AdvanceIteration, $"advance:{iterationId}:sweep",
                new Dictionary<string, string> { [WorkerJobs.Keys.IterationId] = iterationId.ToString() }, JobPriority.Chunk), cancellationToken);
        }
    }
}
