using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Runs;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.ClosedLoop;

/// <summary>
/// The closed-loop scenario driven in-process up to a suggestion waiting for review: jobs are recorded, not run, so each test
/// runs the job bodies (execute, judge, aggregate, refine) itself. Judges can be told to flag sourced answers or to score
/// everything alike, to exercise the autopilot guardrails.
/// </summary>
internal sealed class ReviewWorld
{
    public const int Cases = 30;
    private static readonly string[] Suggestions = ["Ask the model to cite its source."];
    private static readonly string[] Flags = ["unverified_citation"];

    private ReviewWorld(IServiceProvider services, SimTenant tenant, Guid experimentId, Guid credentialId, Guid projectId)
    {
        Services = services;
        Tenant = tenant;
        ExperimentId = experimentId;
        CredentialId = credentialId;
        ProjectId = projectId;
    }

    public IServiceProvider Services { get; }

    public SimTenant Tenant { get; }

    public Guid ExperimentId { get; }

    public Guid CredentialId { get; }

    public Guid ProjectId { get; }

    public ReviewService Reviews => Services.GetRequiredService<ReviewService>();

    /// <summary>A new reviewer of the world's project.</summary>
    public Task<Actor> ReviewerAsync(CancellationToken cancellationToken) =>
        TestActors.MemberAsync(Services.GetRequiredService<Npgsql.NpgsqlDataSource>(), ProjectId, ProjectRole.Reviewer, cancellationToken);

    public static async Task<ReviewWorld> CreateAsync(CoreFixture fixture, string reviewMode, CancellationToken cancellationToken,
        bool flagSourced = false, bool flatScores = false, Func<SimRequest, SimStep?>? overrides = null,
        Func<ExperimentDefinition, ExperimentDefinition>? adjust = null)
    {
        var services = fixture.Services;
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => overrides?.Invoke(r) ?? Respond(r, flagSourced, flatScores));
        var experiments = services.GetRequiredService<ExperimentService>();
        var projectId = await experiments.DefaultProjectIdAsync(cancellationToken);
        var credential = await services.GetRequiredService<CredentialService>()
            .CreateAsync(await TestActors.OwnerAsync(services, cancellationToken),
                projectId, ClosedLoopScenario.Credential(fixture.Simulator, tenant),
                cancellationToken);
        Assert.True(credential.Succeeded, credential.Error);
        var definition = ClosedLoopScenario.Definition(credential.Id!.Value, Cases, reviewMode, new StopRules { Patience = 3, MaxIterations = 5 });
        var (experimentId, errors) = await experiments.CreateAsync(await TestActors.OwnerAsync(services, cancellationToken),
            adjust?.Invoke(definition) ?? definition, cancellationToken);
        Assert.True(experimentId is not null, string.Join("; ", errors.SelectMany(e => e.Value)));
        return new ReviewWorld(services, tenant, experimentId.Value, credential.Id.Value, projectId);
    }

    /// <summary>Starts the first iteration and runs it to 'reviewing' (or further, when autopilot applies the suggestion).</summary>
    public async Task<Guid> FirstIterationToReviewAsync(CancellationToken cancellationToken)
    {
        var iterationId = await IterationDriver.RunAsync(Services, ExperimentId, cancellationToken);
        await Services.GetRequiredService<RefinementService>().RefineAsync(iterationId, cancellationToken);
        return iterationId;
    }

    /// <summary>Runs an iteration that already exists (started by an approval) through execution, judging, aggregation and refining.</summary>
    public async Task DriveToReviewAsync(Guid iterationId, CancellationToken cancellationToken)
    {
        var coordinator = Services.GetRequiredService<IterationCoordinator>();
        var progress = Services.GetRequiredService<WorkProgress>();
        await coordinator.AdvanceAsync(iterationId, cancellationToken);
        foreach (var (modelRunId, from, count, _) in await progress.IncompleteExecuteChunksAsync(iterationId, cancellationToken))
        {
            await Services.GetRequiredService<ChunkExecutor>().ExecuteChunkAsync(modelRunId, from, count, cancellationToken);
        }

        await coordinator.AdvanceAsync(iterationId, cancellationToken);
        foreach (var (judgeConfigId, modelRunId, from, count, _) in await progress.IncompleteJudgeChunksAsync(iterationId, cancellationToken))
        {
            await Services.GetRequiredService<JudgeRunner>().JudgeChunkAsync(iterationId, judgeConfigId, modelRunId, from, count,
                cancellationToken);
        }

        await coordinator.AdvanceAsync(iterationId, cancellationToken);
        await Services.GetRequiredService<RefinementService>().RefineAsync(iterationId, cancellationToken);
    }

    public static async Task<SuggestionRow> LatestSuggestionAsync(NpgsqlConnection connection, Guid iterationId, CancellationToken cancellationToken) =>
        await connection.QuerySingleAsync<SuggestionRow>(new CommandDefinition("""
            SELECT id, attempt, status, note, proposed_template, proposed_system_text, auto_applied, screening::text AS screening
            FROM suggestions WHERE iteration_id = @iterationId ORDER BY attempt DESC LIMIT 1
            """, new { iterationId }, cancellationToken: cancellationToken));

    public static async Task<string> IterationStatusAsync(NpgsqlConnection connection, Guid iterationId, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT status FROM iterations WHERE id = @iterationId", new { iterationId }, cancellationToken: cancellationToken)) ?? "";

    private static SimStep Respond(SimRequest request, bool flagSourced, bool flatScores)
    {
        if (request.SchemaName != "PointwiseVerdict" || !(flagSourced || flatScores))
        {
            return ClosedLoopScenario.Respond(request);
        }

        var user = request.Messages.First(m => m.Role == "user").Text;
        var answer = user[user.LastIndexOf("The answer to evaluate:", StringComparison.Ordinal)..];
        var sourced = answer.Contains("[cited]", StringComparison.Ordinal);
        return SimStep.ReplyJson(new
        {
            reasoning = "Compared the answer with the goal.",
            scores = new[] { new { criterion = ClosedLoopScenario.Criterion, score = flatScores ? 3 : ClosedLoopScenario.ScoreOf(answer), rationale = "Judged." } },
            suggestions = Suggestions,
            safetyFlags = flagSourced && sourced ? Flags : [],
        });
    }

    // A class with init properties: Dapper maps rows through properties.
    internal sealed class SuggestionRow
    {
        public Guid Id { get; init; }

        public int Attempt { get; init; }

        public string Status { get; init; } = "";

        public string Note { get; init; } = "";

        public string? ProposedTemplate { get; init; }

        public string ProposedSystemText { get; init; } = "";

        public bool AutoApplied { get; init; }

        public string? Screening { get; init; }
    }
}
