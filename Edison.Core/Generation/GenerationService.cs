using System.Globalization;
using System.Text.Json;
using Dapper;
using Edison.Core.Datasets;
using Edison.Core.Events;
using Edison.Core.Jobs;
using Edison.Core.Llm;
using Edison.Core.Llm.Structured;
using Edison.Core.Persistence;
using Edison.Core.Security;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Edison.Core.Generation;

/// <summary>
/// Synthetic test cases: a run is scheduled as a job, generates in rounds through the gateway (JSON schema, repair),
/// deduplicates (exact, normalised, near) and tops up until the requested count is unique or three rounds have passed.
/// Cases wait in review; accepting writes them into a dataset version in one transaction. Each round is written in one
/// transaction too, and only while the run is not cancelled, so a cancel never leaves half a round or half a dataset.
/// </summary>
public sealed partial class GenerationService
{
    /// <summary>The most rounds a run makes (the first plus two top-ups).</summary>
    public const int MaxRounds = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly HashSet<string> Difficulties = new(StringComparer.Ordinal) { "easy", "medium", "hard" };
    private readonly NpgsqlDataSource _dataSource;
    private readonly LlmGateway _gateway;
    private readonly IJobScheduler _jobs;
    private readonly IEventBus _events;
    private readonly ILogger<GenerationService> _logger;
    private readonly ProjectAccess _access;

    internal GenerationService(NpgsqlDataSource dataSource, LlmGateway gateway, IJobScheduler jobs, IEventBus events,
        ILogger<GenerationService> logger, ProjectAccess access)
    {
        _access = access;
        _events = events;
        _dataSource = dataSource;
        _gateway = gateway;
        _jobs = jobs;
        _logger = logger;
    }

    /// <summary>Records a run and schedules the <see cref="DatasetJobs.GenerateCases"/> job; returns the run id.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<Guid> StartAsync(Actor actor, GenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _access.EnsureRoleAsync(actor, request.ProjectId, ProjectRole.Editor, cancellationToken);
        await _access.EnsureInProjectAsync(ResourceKinds.Credential, request.CredentialId, request.ProjectId, cancellationToken);
        if (request.ExperimentId is { } experimentId)
        {
            await _access.EnsureInProjectAsync(ResourceKinds.Experiment, experimentId, request.ProjectId, cancellationToken);
        }

        if (request.DatasetId is { } datasetId)
        {
            await _access.EnsureInProjectAsync(ResourceKinds.Dataset, datasetId, request.ProjectId, cancellationToken);
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Count, 1000);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Goal);
        if (request.Variables.Count == 0)
        {
            throw new ArgumentException("At least one template variable is needed.", nameof(request));
        }

        var id = Ids.New();
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO generation_runs (id, project_id, experiment_id, dataset_id, request, requested)
                VALUES (@id, @ProjectId, @ExperimentId, @DatasetId, @json::jsonb, @Count)
                """, new { id, request.ProjectId, request.ExperimentId, request.DatasetId, json = JsonSerializer.Serialize(request, Json), request.Count },
                transaction, cancellationToken: cancellationToken));
            await AuditLog.WriteAsync(connection, transaction, actor, request.ProjectId, "generation.start", "generation_run", id, null,
                new { request.Count, request.Model, request.ExperimentId, request.DatasetId }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await _jobs.EnqueueAsync(new JobRequest(DatasetJobs.GenerateCases, $"generate-{id:N}",
            new Dictionary<string, string> { [DatasetJobs.Keys.GenerationRunId] = id.ToString() }, JobPriority.Interactive), cancellationToken);
        return id;
    }

    /// <summary>The job body: runs the remaining rounds of the run. Safe to call again after a crash.</summary>
    internal async Task RunAsync(Guid runId, CancellationToken cancellationToken)
    {
        GenerationRequest request;
        int round;
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            var row = await connection.QuerySingleOrDefaultAsync<(string Request, int Rounds)?>(new CommandDefinition("""
                UPDATE generation_runs SET status = 'running', updated_at = now()
                WHERE id = @runId AND status IN ('pending', 'running') AND NOT cancel_requested
                RETURNING request::text, rounds
                """, new { runId }, cancellationToken: cancellationToken));
            if (row is null)
            {
                return;
            }

            request = JsonSerializer.Deserialize<GenerationRequest>(row.Value.Request, Json)!;
            round = row.Value.Rounds;
        }

        var existing = await GetCasesAsync(runId, cancellationToken);
        var dedup = new CaseDeduplicator();
        var kept = new List<KeptCase>();
        foreach (var earlier in existing.Where(c => c.Status != "dropped"))
        {
            var input = ToInput(earlier);
            dedup.Add([input]);
            var text = CaseDeduplicator.Text(input);
            kept.Add(new KeptCase(earlier.Id, text, MinHash.Signature(text), earlier.Tags));
        }

        var position = existing.Count == 0 ? 0 : existing.Max(c => c.Position) + 1;
        var dropped = existing.Count(c => c.Status == "dropped");
        string? failure = null;
        string? stoppedBy = null;
        var diversityRounds = 0;
        var replacedTotal = 0;
        while (true)
        {
            var diversity = DiversityMeter.MeanPairwiseDistance(kept.Select(k => k.Signature).ToList());
            var topUp = kept.Count < request.Count && round < MaxRounds;
            var diversify = !topUp && kept.Count >= Math.Max(2, request.Count) && diversity < request.DiversityTarget
                && diversityRounds < request.DiversityRounds && round < MaxRounds + request.DiversityRounds;
            if (!topUp && !diversify)
            {
                break;
            }

            if (request.BudgetUsd is { } budget && await SpentAsync(runId, cancellationToken) >= budget)
            {
                stoppedBy = string.Create(CultureInfo.InvariantCulture, $"The budget of ${budget:0.00} was reached.");
                break;
            }

            round++;
            diversityRounds += diversify ? 1 : 0;
            var want = diversify ? Math.Max(5, request.Count / 5) : request.Count - kept.Count;
            var note = diversify
                ? string.Create(CultureInfo.InvariantCulture, $"The cases so far are too alike (diversity {diversity:0.00}, target {request.DiversityTarget:0.00}): write cases unlike any of them in situation, persona, length and wording.")
                : null;
            // Each case is a named property of the schema, so a round asks in parts of at most MaxCasesPerCall.
            var answers = new List<GeneratedCaseAnswer>();
            string? roundError = null;
            for (var (part, left) = (0, want); left > 0 && roundError is null; part++)
            {
                var size = Math.Min(left, StructuredCalls.MaxCasesPerCall);
                left -= size;
                var spec = new LlmCallSpec(request.ProjectId, request.CredentialId, request.Model, "generate_cases")
                {
                    ExperimentId = request.ExperimentId,
                    CallKey = part == 0 ? $"generate:{runId:N}:round:{round}" : $"generate:{runId:N}:round:{round}:part:{part}",
                };
                var result = await StructuredOutput.CompleteAsync(_gateway, spec,
                    GenerationPrompt.Build(request, round, size, kept.Select(k => k.Text).ToList(), note), StructuredCalls.GeneratedCases(request.Variables, size),
                    new ChatOptions { Temperature = 0.9f }, cancellationToken);
                if (result.Value is { } batch)
                {
                    answers.AddRange(batch.Cases);
                }
                else
                {
                    roundError = result.Error;
                }
            }

            if (roundError is not null)
            {
                failure = $"Round {round}: {roundError}";
                LogRoundFailed(runId, round, roundError);
                break;
            }

            var filler = new BogusFiller(request.Seed + round);
            var rows = new List<object>();
            var replaced = new List<(Guid Id, string Reason)>();
            var similarity = diversify ? SimilaritySums(kept) : null;
            foreach (var answer in answers)
            {
                var input = ToInput(answer, request.Variables);
                var id = Ids.New();
                var at = position++;
                string? reason;
                if (!diversify && kept.Count >= request.Count)
                {
                    reason = $"More than the {request.Count} cases asked for.";
                }
                else
                {
                    reason = dedup.Add([input])[0].Reason;
                    if (reason is null && diversify)
                    {
                        reason = TryReplace(kept, similarity!, dedup.Signatures[^1], at, replaced);
                    }
                }

                if (reason is null)
                {
                    var text = CaseDeduplicator.Text(input);
                    kept.Add(new KeptCase(id, text, dedup.Signatures[^1], input.Tags));
                    if (similarity is not null)
                    {
                        AddToSums(kept, similarity);
                    }

                    input = input with { Variables = filler.Fill(input.Variables) };
                }
                else
                {
                    dropped++;
                }

                rows.Add(new
                {
                    Id = id,
                    RunId = runId,
                    Position = at,
                    Round = round,
                    Input = JsonSerializer.Serialize(input.Variables),
                    input.ExpectedOutput,
                    Tags = input.Tags.ToArray(),
                    input.Difficulty,
                    answer.Persona,
                    answer.Scenario,
                    Status = reason is null ? "pending" : "dropped",
                    DropReason = reason,
                });
            }

            dropped += replaced.Count;
            replacedTotal += replaced.Count;
            if (!await WriteRoundAsync(runId, round, rows, replaced, kept.Count, dropped, cancellationToken))
            {
                await MarkCancelledAsync(runId, cancellationToken);
                return;
            }

            await _events.PublishAsync(new ExperimentEvent(runId, null, ExperimentEvent.Progress, GenerationStatus.Running, kept.Count, request.Count),
                cancellationToken);
        }

        var finalDiversity = DiversityMeter.MeanPairwiseDistance(kept.Select(k => k.Signature).ToList());
        var tagsPer100 = DiversityMeter.TagsPer100(kept.Select(k => k.Tags).ToList());
        var outcome = kept.Count >= request.Count
            ? string.Create(CultureInfo.InvariantCulture, $"{kept.Count} unique cases after {round} round{(round == 1 ? "" : "s")}; {dropped} dropped. Diversity {finalDiversity:0.00} (target {request.DiversityTarget:0.00}), {tagsPer100:0.#} distinct tags per 100 cases.")
            : string.Create(CultureInfo.InvariantCulture, $"Stopped after {round} round{(round == 1 ? "" : "s")} with {kept.Count} unique cases of the {request.Count} asked for; {dropped} dropped. Diversity {finalDiversity:0.00} (target {request.DiversityTarget:0.00}), {tagsPer100:0.#} distinct tags per 100 cases.");
        if (diversityRounds > 0)
        {
            outcome += string.Create(CultureInfo.InvariantCulture,
                $" {diversityRounds} diversity round{(diversityRounds == 1 ? "" : "s")} replaced {replacedTotal} of the most alike cases; the target was {(finalDiversity >= request.DiversityTarget ? "met" : "not met")}.");
        }

        if (stoppedBy is not null)
        {
            outcome += " " + stoppedBy;
        }

        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            var status = failure is not null && kept.Count == 0 ? GenerationStatus.Failed : GenerationStatus.Review;
            var updated = await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE generation_runs SET status = @status, diversity = @finalDiversity, tags_per_100 = @tagsPer100, outcome = @outcome,
                    error = @failure, updated_at = now()
                WHERE id = @runId AND status = 'running' AND NOT cancel_requested
                """, new { runId, status, finalDiversity, tagsPer100, outcome, failure }, cancellationToken: cancellationToken));
            if (updated == 0)
            {
                await MarkCancelledAsync(runId, cancellationToken);
                return;
            }

            await _events.PublishAsync(new ExperimentEvent(runId, null, ExperimentEvent.StatusChanged, status, kept.Count, request.Count),
                cancellationToken);
        }
    }

    // Σ similarity of each kept case to every other kept case: the largest sum is the most alike (most redundant) case.
    private static List<double> SimilaritySums(List<KeptCase> kept)
    {
        var sums = new List<double>(new double[kept.Count]);
        for (var i = 0; i < kept.Count; i++)
        {
            for (var j = i + 1; j < kept.Count; j++)
            {
                var s = MinHash.Similarity(kept[i].Signature, kept[j].Signature);
                sums[i] += s;
                sums[j] += s;
            }
        }

        return sums;
    }

    // Brings the similarity sums up to date with the case just appended to kept.
    private static void AddToSums(List<KeptCase> kept, List<double> sums)
    {
        var added = kept[^1].Signature;
        var own = 0.0;
        for (var k = 0; k < kept.Count - 1; k++)
        {
            var s = MinHash.Similarity(kept[k].Signature, added);
            sums[k] += s;
            own += s;
        }

        sums.Add(own);
    }

    // Replaces the most alike kept case with the candidate when the candidate is less alike to the rest; else says why not.
    private static string? TryReplace(List<KeptCase> kept, List<double> sums, ulong[] candidate, int position, List<(Guid Id, string Reason)> replaced)
    {
        var worst = 0;
        for (var k = 1; k < kept.Count; k++)
        {
            worst = sums[k] > sums[worst] ? k : worst;
        }

        var candidateSum = 0.0;
        for (var k = 0; k < kept.Count; k++)
        {
            candidateSum += k == worst ? 0 : MinHash.Similarity(kept[k].Signature, candidate);
        }

        if (candidateSum >= sums[worst])
        {
            return "Would not raise diversity: as alike to the kept cases as the case it would replace.";
        }

        for (var k = 0; k < kept.Count; k++)
        {
            sums[k] -= k == worst ? 0 : MinHash.Similarity(kept[k].Signature, kept[worst].Signature);
        }

        replaced.Add((kept[worst].Id, $"Replaced by case {position + 1} to raise diversity."));
        kept.RemoveAt(worst);
        sums.RemoveAt(worst);
        return null;
    }

    private async Task<decimal> SpentAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<decimal>(new CommandDefinition(
            "SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE call_key LIKE @prefix", new { prefix = $"generate:{runId:N}:%" },
            cancellationToken: cancellationToken));
    }

    private sealed record KeptCase(Guid Id, string Text, ulong[] Signature, IReadOnlyList<string> Tags);

    /// <summary>Asks the run to stop: a pending or reviewed run is cancelled at once, a running one after its current call.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<bool> CancelAsync(Actor actor, Guid runId, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.GenerationRun, runId, ProjectRole.Editor, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM generation_runs WHERE id = @runId FOR UPDATE", new { runId }, transaction, cancellationToken: cancellationToken));
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE generation_runs SET cancel_requested = true, updated_at = now(),
                status = CASE WHEN status = 'running' THEN status ELSE 'cancelled' END
            WHERE id = @runId AND status IN ('pending', 'running', 'review')
            """, new { runId }, transaction, cancellationToken: cancellationToken));
        if (updated != 1)
        {
            return false;
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "generation.cancel", "generation_run", runId,
            new { status = before }, new { cancelRequested = true }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The run's progress and outcome, or null.</summary>
    public async Task<GenerationRun?> GetAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<GenerationRun>(new CommandDefinition("""
            SELECT id AS Id, project_id AS ProjectId, dataset_id AS DatasetId, status AS Status, requested AS Requested, rounds AS Rounds,
                   unique_cases AS UniqueCases, dropped_cases AS DroppedCases, cancel_requested AS CancelRequested, diversity AS Diversity,
                   tags_per_100 AS TagsPer100, outcome AS Outcome, error AS Error,
                   coalesce((request ->> 'diversityTarget')::double precision, 0) AS DiversityTarget, request ->> 'focus' AS Focus
            FROM generation_runs WHERE id = @runId
            """, new { runId }, cancellationToken: cancellationToken));
    }

    /// <summary>Every case of the run (in review, accepted, discarded, or dropped with its reason), by position.</summary>
    public async Task<IReadOnlyList<GeneratedCase>> GetCasesAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<GeneratedCase>(new CommandDefinition("""
            SELECT id AS Id, position AS Position, round AS Round, input::text AS Input, expected_output AS ExpectedOutput, tags AS Tags,
                   difficulty AS Difficulty, persona AS Persona, scenario AS Scenario, status AS Status, drop_reason AS DropReason
            FROM generated_cases WHERE run_id = @runId ORDER BY position
            """, new { runId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Discards cases in review (bulk); returns how many were discarded.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<int> DiscardAsync(Actor actor, Guid runId, IReadOnlyList<Guid> caseIds, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.GenerationRun, runId, ProjectRole.Editor, cancellationToken);
        ArgumentNullException.ThrowIfNull(caseIds);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var discarded = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE generated_cases g SET status = 'discarded' FROM generation_runs r
            WHERE g.run_id = r.id AND r.id = @runId AND r.status = 'review' AND g.status = 'pending' AND g.id = ANY(@ids)
            """, new { runId, ids = caseIds.ToArray() }, transaction, cancellationToken: cancellationToken));
        if (discarded > 0)
        {
            await AuditLog.WriteAsync(connection, transaction, actor, projectId, "generation.discard", "generation_run", runId, null,
                new { discarded }, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return discarded;
    }

    /// <summary>Replaces a case in review with a person's edit; false when it is not in review.</summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<bool> EditAsync(Actor actor, Guid runId, Guid caseId, CaseInput edited, CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.GenerationRun, runId, ProjectRole.Editor, cancellationToken);
        ArgumentNullException.ThrowIfNull(edited);
        if (edited.Difficulty is not null && !Difficulties.Contains(edited.Difficulty))
        {
            return false;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE generated_cases g SET input = @input::jsonb, expected_output = @ExpectedOutput, tags = @tags, difficulty = @Difficulty
            FROM generation_runs r
            WHERE g.run_id = r.id AND r.id = @runId AND r.status = 'review' AND g.status = 'pending' AND g.id = @caseId
            """, new { runId, caseId, input = JsonSerializer.Serialize(edited.Variables), edited.ExpectedOutput, tags = edited.Tags.ToArray(),
                edited.Difficulty }, transaction, cancellationToken: cancellationToken));
        if (updated != 1)
        {
            return false;
        }

        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "generation.edit-case", "generated_case", caseId, null,
            new { runId, variables = edited.Variables.Keys, edited.Tags, edited.Difficulty }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Accepts the cases in review (all, or only <paramref name="caseIds"/>) into the run's dataset or a new synthetic dataset
    /// named <paramref name="newDatasetName"/>, as a new dataset version, all in one transaction: cancelled midway, nothing is written.
    /// </summary>
    [RequiresRole(ProjectRole.Editor)]
    public async Task<AcceptResult> AcceptAsync(Actor actor, Guid runId, IReadOnlyList<Guid>? caseIds, string? newDatasetName,
        CancellationToken cancellationToken)
    {
        var projectId = await _access.EnsureRoleOnAsync(actor, ResourceKinds.GenerationRun, runId, ProjectRole.Editor, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var run = await connection.QuerySingleOrDefaultAsync<(Guid ProjectId, Guid? ExperimentId, Guid? DatasetId, string Status)?>(
            new CommandDefinition("SELECT project_id, experiment_id, dataset_id, status FROM generation_runs WHERE id = @runId FOR UPDATE",
                new { runId }, transaction, cancellationToken: cancellationToken));
        if (run is not { } r)
        {
            return new AcceptResult("The generation run does not exist.", null, null, 0);
        }

        if (r.Status != GenerationStatus.Review)
        {
            return new AcceptResult($"The run is {r.Status}: only cases of a run in review can be accepted.", null, null, 0);
        }

        var pending = (await connection.QueryAsync<GeneratedCase>(new CommandDefinition("""
            SELECT id AS Id, position AS Position, input::text AS Input, expected_output AS ExpectedOutput, tags AS Tags, difficulty AS Difficulty
            FROM generated_cases WHERE run_id = @runId AND status = 'pending' AND (@all OR id = ANY(@ids)) ORDER BY position
            """, new { runId, all = caseIds is null, ids = (caseIds ?? []).ToArray() }, transaction, cancellationToken: cancellationToken))).ToList();
        if (pending.Count == 0)
        {
            return new AcceptResult("No case in review to accept.", null, null, 0);
        }

        var cases = pending.Select(c => (ToInput(c), (string?)null)).ToList();
        var note = $"Accepted {cases.Count} generated cases";
        Guid datasetId;
        int version;
        if (r.DatasetId is { } existing)
        {
            datasetId = existing;
            version = await DatasetStore.AppendAsync(connection, transaction, existing, cases, note, cancellationToken);
        }
        else
        {
            var name = string.IsNullOrWhiteSpace(newDatasetName) ? $"Generated {runId.ToString("N")[..8]}" : newDatasetName.Trim();
            (datasetId, version) = await DatasetStore.CreateAsync(connection, transaction, r.ProjectId, r.ExperimentId, name, "synthetic", cases,
                note, cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE generated_cases SET status = 'accepted' WHERE id = ANY(@ids);
            UPDATE generation_runs SET dataset_id = @datasetId, updated_at = now(),
                status = CASE WHEN EXISTS (SELECT 1 FROM generated_cases WHERE run_id = @runId AND status = 'pending') THEN 'review' ELSE 'completed' END
            WHERE id = @runId;
            """, new { ids = pending.Select(c => c.Id).ToArray(), datasetId, runId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, projectId, "generation.accept", "generation_run", runId, null,
            new { accepted = cases.Count, datasetId, datasetVersion = version }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new AcceptResult(null, datasetId, version, cases.Count);
    }

    /// Writes one round's cases and progress together, unless the run was cancelled meanwhile (then nothing of the round is written).
    private async Task<bool> WriteRoundAsync(Guid runId, int round, List<object> rows, List<(Guid Id, string Reason)> replaced, int unique, int dropped,
        CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE generation_runs SET rounds = @round, unique_cases = @unique, dropped_cases = @dropped, updated_at = now()
            WHERE id = @runId AND status = 'running' AND NOT cancel_requested
            """, new { runId, round, unique, dropped }, transaction, cancellationToken: cancellationToken));
        if (updated == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO generated_cases (id, run_id, position, round, input, expected_output, tags, difficulty, persona, scenario, status, drop_reason)
            VALUES (@Id, @RunId, @Position, @Round, @Input::jsonb, @ExpectedOutput, @Tags, @Difficulty, @Persona, @Scenario, @Status, @DropReason)
            """, rows, transaction, cancellationToken: cancellationToken));
        if (replaced.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE generated_cases g SET status = 'dropped', drop_reason = u.reason
                FROM unnest(@ids, @reasons) AS u(id, reason) WHERE g.id = u.id AND g.run_id = @runId
                """, new { runId, ids = replaced.Select(r => r.Id).ToArray(), reasons = replaced.Select(r => r.Reason).ToArray() }, transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task MarkCancelledAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE generation_runs SET status = 'cancelled', outcome = 'Cancelled: no generated case joined a dataset.', updated_at = now()
            WHERE id = @runId AND status IN ('pending', 'running', 'review')
            """, new { runId }, cancellationToken: cancellationToken));
        await _events.PublishAsync(new ExperimentEvent(runId, null, ExperimentEvent.StatusChanged, GenerationStatus.Cancelled, 0, 0), cancellationToken);
        LogCancelled(runId);
    }

    private static CaseInput ToInput(GeneratedCaseAnswer answer, IReadOnlyList<string> variables)
    {
        var values = variables.ToDictionary(v => v, v => JsonSerializer.SerializeToElement(answer.Variables.GetValueOrDefault(v) ?? ""),
            StringComparer.Ordinal);
        var difficulty = answer.Difficulty?.Trim().ToLowerInvariant();
        var tags = (answer.Tags ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim().ToLowerInvariant())
            .Distinct(StringComparer.Ordinal).ToList();
        return new CaseInput(values, string.IsNullOrWhiteSpace(answer.ExpectedOutput) ? null : answer.ExpectedOutput, tags,
            difficulty is not null && Difficulties.Contains(difficulty) ? difficulty : null);
    }

    private static CaseInput ToInput(GeneratedCase c) =>
        new(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(c.Input)!, c.ExpectedOutput, c.Tags, c.Difficulty);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generation run {RunId} round {Round} failed: {Error}")]
    private partial void LogRoundFailed(Guid runId, int round, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Generation run {RunId} cancelled")]
    private partial void LogCancelled(Guid runId);
}
