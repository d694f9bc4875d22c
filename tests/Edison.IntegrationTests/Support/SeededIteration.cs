using Dapper;
using Edison.Core.Runs;
using Edison.Core.Security;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Edison.IntegrationTests.Support;

/// <summary>An iteration whose rows are written straight into the database, with something for every results filter.</summary>
internal static class SeededIteration
{
    /// <summary>
    /// An experiment of <paramref name="cases"/> cases, 2 models and 3 pointwise judges, and an iteration in <paramref name="status"/>
    /// whose rows are written directly: a few cases unanswered, failed answers and judgments, cut-offs, PII and safety flags,
    /// judges that disagree, tags and splits, and a failed, flagged pairwise judgment, so every filter has rows.
    /// </summary>
    public static async Task<Guid> CreateAsync(IServiceProvider services, NpgsqlDataSource dataSource, ProviderSimulator simulator, int cases,
        string status, CancellationToken cancellationToken)
    {
        var tenant = simulator.CreateTenant();
        var experimentId = await SimulatedExperiment.CreateAsync(services, SimulatedExperiment.Draft(simulator, tenant, cases), cancellationToken);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO model_configs
                SELECT (jsonb_populate_record(null::model_configs, to_jsonb(m) || jsonb_build_object('id', gen_random_uuid(), 'model', 'second-model',
                        'position', m.position + 1))).*
                FROM model_configs m WHERE experiment_id = @experimentId;
                INSERT INTO judge_configs
                SELECT (jsonb_populate_record(null::judge_configs, to_jsonb(j) || jsonb_build_object('id', gen_random_uuid(), 'model', n.model))).*
                FROM judge_configs j CROSS JOIN (VALUES ('judge-2'), ('judge-3')) AS n(model) WHERE experiment_id = @experimentId;
                """, new { experimentId }, cancellationToken: cancellationToken));
        }

        var started = await services.GetRequiredService<IterationService>().StartAsync(
            await TestActors.OwnerOnAsync(services, ResourceKinds.Experiment, experimentId, cancellationToken), experimentId, cancellationToken);
        var iterationId = started.IterationId ?? throw new InvalidOperationException(started.Error);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE case_versions cv SET tags = CASE WHEN dvc.position % 4 = 0 THEN ARRAY['billing'] ELSE ARRAY['account', 'urgent'] END,
                       split = CASE WHEN dvc.position % 5 = 0 THEN 'test' ELSE 'train' END
                FROM iterations i JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
                WHERE i.id = @iterationId AND cv.case_id = dvc.case_id AND cv.version = dvc.case_version;

                INSERT INTO outputs (id, model_run_id, case_id, case_version, sample, status, text, error, finish_reason, truncated, pii_flags)
                SELECT gen_random_uuid(), mr.id, dvc.case_id, dvc.case_version, 0,
                       CASE WHEN dvc.position % 9 = 7 THEN 'failed' ELSE 'succeeded' END,
                       CASE WHEN dvc.position % 9 = 7 THEN '' ELSE 'answer ' || dvc.position END,
                       CASE WHEN dvc.position % 9 = 7 THEN 'server error' END,
                       CASE WHEN dvc.position % 7 = 3 THEN 'length' ELSE 'stop' END, dvc.position % 7 = 3,
                       CASE WHEN dvc.position % 11 = 4 THEN ARRAY['email'] ELSE '{}' END
                FROM iterations i JOIN model_runs mr ON mr.iteration_id = i.id
                JOIN dataset_version_cases dvc ON dvc.dataset_version_id = i.dataset_version_id
                WHERE i.id = @iterationId AND dvc.position % 13 <> 12;

                INSERT INTO judgments (id, iteration_id, output_id, judge_config_id, mode, pair_key, status, scores, composite, safety_flags, error)
                SELECT gen_random_uuid(), @iterationId, o.id, jc.id, 'pointwise', '',
                       CASE WHEN s.n % 17 = 5 THEN 'failed' ELSE 'succeeded' END,
                       CASE WHEN s.n % 17 = 5 THEN '{}' ELSE jsonb_build_object(@criterion::text, s.score) END,
                       CASE WHEN s.n % 17 = 5 THEN NULL ELSE s.score END,
                       CASE WHEN s.n % 19 = 9 THEN ARRAY['unsafe-advice'] ELSE '{}' END,
                       CASE WHEN s.n % 17 = 5 THEN 'not JSON' END
                FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
                JOIN judge_configs jc ON jc.experiment_id = (SELECT experiment_id FROM iterations WHERE id = @iterationId) AND jc.kind = 'pointwise'
                CROSS JOIN LATERAL (SELECT abs(hashtext(o.id::text || jc.id::text)) AS n,
                                           1 + abs(hashtext(jc.id::text || o.id::text)) % 5 AS score) s
                WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded';

                INSERT INTO judgments (id, iteration_id, output_id, other_output_id, judge_config_id, mode, pair_key, status, safety_flags, error)
                SELECT gen_random_uuid(), @iterationId, a.id, b.id, jc.id, 'pairwise', a.id || ':' || b.id || ':ab', 'failed', ARRAY['pairwise-flag'], 'late'
                FROM (SELECT o.id, o.case_id FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id
                      WHERE mr.iteration_id = @iterationId AND o.status = 'succeeded' ORDER BY o.id LIMIT 1) a
                JOIN outputs b ON b.case_id = a.case_id AND b.id <> a.id
                JOIN judge_configs jc ON jc.experiment_id = (SELECT experiment_id FROM iterations WHERE id = @iterationId) AND jc.model = 'judge-2'
                LIMIT 1;

                UPDATE iterations SET status = @status WHERE id = @iterationId;
                """, new { iterationId, criterion = SimulatedExperiment.Criterion, status }, cancellationToken: cancellationToken));
        }

        return iterationId;
    }
}
