using System.Globalization;
using System.Text.Json;
using Bogus;
using Dapper;
using Edison.Core.Datasets;
using Edison.Core.Generation;
using Edison.Core.Jobs;
using Edison.Core.Llm;
using Edison.IntegrationTests.Datasets;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;
using Edison.Core.Security;

namespace Edison.IntegrationTests.Generation;

/// <summary>
/// Synthetic generation through the provider simulator: deduplication with reasons, top-up rounds, review and accept,
/// and cancellation that leaves no half-written dataset.
/// </summary>
public sealed class CaseGenerationTests(StudioFixture fixture) : IClassFixture<StudioFixture>
{
    private GenerationService Generation => fixture.Services.GetRequiredService<GenerationService>();

    [Fact]
    public async Task RunAsync_FiftyAskedFiftyGivenWithSevenDuplicates_FortyThreeReachReviewAndTheSevenAreDroppedWithReasons()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var unique = Sentences(43, seed: 1);
        // The seven duplicates, each of an earlier case: three exact, two normalised (case, punctuation, spacing), two near.
        var duplicates = new (int Of, string Text, string Reason)[]
        {
            (2, unique[2], "Exact duplicate of case 3."),
            (10, unique[10], "Exact duplicate of case 11."),
            (30, unique[30], "Exact duplicate of case 31."),
            (5, unique[5].ToUpperInvariant().Replace(" ", "  ", StringComparison.Ordinal) + "!!", "Same as case 6 once case, punctuation and spacing are ignored."),
            (20, "  " + unique[20].Replace(" ", ", ", StringComparison.Ordinal), "Same as case 21 once case, punctuation and spacing are ignored."),
            (7, unique[7] + " please", "Near-duplicate of case 8"),
            (40, unique[40] + " again", "Near-duplicate of case 41"),
        };
        var round1 = unique.Concat(duplicates.Select(d => d.Text)).ToList();
        Assert.Equal(50, round1.Count);
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r =>
            r.LastUserText.StartsWith("Round 1:", StringComparison.Ordinal) ? Batch(round1) : Batch([]));

        var (runId, run) = await GenerateAsync(tenant, 50, cts.Token);

        Assert.Equal(GenerationStatus.Review, run.Status);
        Assert.Equal((3, 43, 7), (run.Rounds, run.UniqueCases, run.DroppedCases));
        Assert.StartsWith("Stopped after 3 rounds with 43 unique cases of the 50 asked for; 7 dropped.", run.Outcome, StringComparison.Ordinal);
        var cases = await Generation.GetCasesAsync(runId, cts.Token);
        var pending = cases.Where(c => c.Status == "pending").ToList();
        Assert.Equal(43, pending.Count);
        Assert.Equal(unique.Order(StringComparer.Ordinal), pending.Select(c => Question(c)).Order(StringComparer.Ordinal));
        var dropped = cases.Where(c => c.Status == "dropped").ToList();
        Assert.Equal(duplicates.Select(d => d.Text), dropped.Select(Question));
        Assert.All(duplicates.Zip(dropped), p => Assert.StartsWith(p.First.Reason, p.Second.DropReason, StringComparison.Ordinal));
        // The top-up rounds ran, each asking for the seven still missing and listing what was kept.
        var rounds = tenant.Requests.Where(r => r.SchemaName == nameof(GeneratedBatch)).ToList();
        Assert.Equal(3, rounds.Count);
        Assert.StartsWith("Round 2: write 7 new test cases.", rounds[1].LastUserText, StringComparison.Ordinal);
        Assert.StartsWith("Round 3: write 7 new test cases.", rounds[2].LastUserText, StringComparison.Ordinal);
        Assert.Contains("Cases already written", rounds[1].LastUserText, StringComparison.Ordinal);
        Assert.InRange(run.Diversity!.Value, 0.9, 1.0);
        Assert.All(pending, c => Assert.Contains("@", JsonSerializer.Deserialize<Dictionary<string, string>>(c.Input)!["email"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_TopUpRoundBringsTheMissingCases_FiftyUniqueAfterTwoRoundsAndAcceptedIntoADataset()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var unique = Sentences(55, seed: 2);
        var round1 = unique.Take(45).Concat(unique.Take(5)).ToList();
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r => r.LastUserText.StartsWith("Round 1:", StringComparison.Ordinal)
            ? Batch(round1)
            : Batch([unique[0], .. unique.Skip(45).Take(6)]));

        var (runId, run) = await GenerateAsync(tenant, 50, cts.Token);
        var accepted = await Generation.AcceptAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.GenerationRun, runId, cts.Token),
            runId, null, "Synthetic support", cts.Token);

        Assert.Equal((GenerationStatus.Review, 2, 50), (run.Status, run.Rounds, run.UniqueCases));
        Assert.StartsWith("50 unique cases after 2 rounds; 7 dropped.", run.Outcome, StringComparison.Ordinal);
        var cases = await Generation.GetCasesAsync(runId, cts.Token);
        Assert.Equal("More than the 50 cases asked for.", cases[^1].DropReason);
        Assert.Equal((null, 1, 50), (accepted.Error, accepted.DatasetVersion, accepted.Accepted));
        var dataset = await fixture.Services.GetRequiredService<DatasetReader>().GetCasesAsync(accepted.DatasetId!.Value, null, cts.Token);
        Assert.Equal(50, dataset.Count);
        Assert.Equal(GenerationStatus.Completed, (await Generation.GetAsync(runId, cts.Token))!.Status);
    }

    [Fact]
    public async Task RunAsync_CountReachedButDiversityBelowTarget_ADiversityRoundReplacesTheMostAlikeCasesUntilTheTargetIsMet()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Ten cases that differ only in one number: unique (no near-duplicate), but far below a 0.7 diversity target.
        var alike = Enumerable.Range(1, 10)
            .Select(i => $"please refund order number {(i * 37).ToString(CultureInfo.InvariantCulture)} today because the parcel arrived broken and late again")
            .ToList();
        var distinct = Sentences(5, seed: 6);
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r =>
            r.LastUserText.StartsWith("Round 1:", StringComparison.Ordinal) ? Batch(alike) : Batch(distinct));

        var (runId, run) = await GenerateAsync(tenant, 10, cts.Token);

        var rounds = tenant.Requests.Where(r => r.SchemaName == nameof(GeneratedBatch)).ToList();
        Assert.Equal(2, rounds.Count);
        Assert.StartsWith("Round 2: write 5 new test cases.\nThe cases so far are too alike (diversity 0.", rounds[1].LastUserText.ReplaceLineEndings("\n"),
            StringComparison.Ordinal);
        Assert.Equal((GenerationStatus.Review, 2, 10, 5), (run.Status, run.Rounds, run.UniqueCases, run.DroppedCases));
        Assert.True(run.Diversity >= 0.7, $"diversity {run.Diversity}");
        Assert.Contains("1 diversity round replaced 5 of the most alike cases; the target was met.", run.Outcome, StringComparison.Ordinal);
        var cases = await Generation.GetCasesAsync(runId, cts.Token);
        Assert.Equal(distinct.Order(StringComparer.Ordinal),
            cases.Where(c => c.Status == "pending" && c.Round == 2).Select(Question).Order(StringComparer.Ordinal));
        var replaced = cases.Where(c => c.Status == "dropped").ToList();
        Assert.Equal(5, replaced.Count);
        Assert.All(replaced, c => Assert.Equal(1, c.Round));
        Assert.All(replaced, c => Assert.Matches(@"^Replaced by case 1[1-5] to raise diversity\.$", c.DropReason));
    }

    [Fact]
    public async Task ReviewAsync_DiscardAndEditThenAcceptTheRest_OnlyTheKeptAndEditedCasesJoin()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => Batch(Sentences(5, seed: 3)));
        var (runId, _) = await GenerateAsync(tenant, 5, cts.Token);
        var cases = await Generation.GetCasesAsync(runId, cts.Token);

        var discarded = await Generation.DiscardAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.GenerationRun, runId, cts.Token),
            runId, [cases[0].Id, cases[1].Id], cts.Token);
        var edited = await Generation.EditAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.GenerationRun, runId, cts.Token),
            runId, cases[2].Id, new CaseInput(new Dictionary<string, JsonElement>
        {
            ["question"] = JsonSerializer.SerializeToElement("Edited by a person"),
            ["email"] = JsonSerializer.SerializeToElement("a@example.com"),
        }, "Reply kindly", ["edited"], "hard"), cts.Token);
        var accepted = await Generation.AcceptAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.GenerationRun, runId, cts.Token),
            runId, null, null, cts.Token);

        Assert.Equal((2, true, 3), (discarded, edited, accepted.Accepted));
        var dataset = await fixture.Services.GetRequiredService<DatasetReader>().GetCasesAsync(accepted.DatasetId!.Value, null, cts.Token);
        Assert.Equal(3, dataset.Count);
        Assert.Equal(("Reply kindly", "edited", "hard"), (dataset[0].ExpectedOutput, dataset[0].Tags.Single(), dataset[0].Difficulty));
    }

    [Fact]
    public async Task CancelAsync_DuringTheTopUpRound_RunCancelledRoundNotWrittenAndNoDataset()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var unique = Sentences(20, seed: 4);
        var secondRoundStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tenant = fixture.Simulator.CreateTenant().Otherwise(r =>
        {
            if (r.LastUserText.StartsWith("Round 1:", StringComparison.Ordinal))
            {
                return Batch(unique.Take(10).ToList());
            }

            secondRoundStarted.TrySetResult();
            return SimStep.Delay(TimeSpan.FromSeconds(1), Batch(unique.Skip(10).ToList()));
        });
        var projectId = await fixture.ProjectAsync(cts.Token);
        var runId = await Generation.StartAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            await RequestAsync(projectId, tenant, 20, cts.Token), cts.Token);

        var running = Generation.RunAsync(runId, cts.Token);
        await secondRoundStarted.Task.WaitAsync(cts.Token);
        Assert.True(await Generation.CancelAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token), runId, cts.Token));
        await running.WaitAsync(cts.Token);
        var accept = await Generation.AcceptAsync(await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.GenerationRun, runId, cts.Token),
            runId, null, "never", cts.Token);

        var run = (await Generation.GetAsync(runId, cts.Token))!;
        Assert.Equal((GenerationStatus.Cancelled, 1, 10), (run.Status, run.Rounds, run.UniqueCases));
        Assert.Equal(10, (await Generation.GetCasesAsync(runId, cts.Token)).Count);
        Assert.Equal("The run is cancelled: only cases of a run in review can be accepted.", accept.Error);
        Assert.Equal((0L, 0L, 0L), await fixture.CountsAsync(projectId, cts.Token));
    }

    [Fact]
    public async Task AcceptAsync_CancelledMidTransaction_NothingWritten()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => Batch(Sentences(30, seed: 5)));
        var (runId, run) = await GenerateAsync(tenant, 30, cts.Token);
        var projectId = run.ProjectId;
        await using (var blocker = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token))
        await using (var transaction = await blocker.BeginTransactionAsync(cts.Token))
        {
            // Holds a lock the accept needs after it has created the dataset, so the cancel lands mid-transaction.
            await blocker.ExecuteAsync(new CommandDefinition("SELECT 1 FROM generated_cases WHERE run_id = @runId FOR UPDATE",
                new { runId }, transaction, cancellationToken: cts.Token));
            using var acceptCts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var owner = await TestActors.OwnerOnAsync(fixture.Services, ResourceKinds.GenerationRun, runId, cts.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generation.AcceptAsync(owner, runId, null, "half", acceptCts.Token));
        }

        Assert.Equal((0L, 0L, 0L), await fixture.CountsAsync(projectId, cts.Token));
        Assert.Equal(GenerationStatus.Review, (await Generation.GetAsync(runId, cts.Token))!.Status);
        Assert.Equal(30, (await Generation.GetCasesAsync(runId, cts.Token)).Count(c => c.Status == "pending"));
    }

    private async Task<(Guid RunId, GenerationRun Run)> GenerateAsync(SimTenant tenant, int count, CancellationToken cancellationToken)
    {
        var projectId = await fixture.ProjectAsync(cancellationToken);
        var runId = await Generation.StartAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cancellationToken),
            await RequestAsync(projectId, tenant, count, cancellationToken), cancellationToken);
        Assert.Contains(fixture.Jobs.Requests, j => j.JobType == DatasetJobs.GenerateCases && j.Data[DatasetJobs.Keys.GenerationRunId] == runId.ToString());
        await Generation.RunAsync(runId, cancellationToken);
        return (runId, (await Generation.GetAsync(runId, cancellationToken))!);
    }

    private async Task<GenerationRequest> RequestAsync(Guid projectId, SimTenant tenant, int count, CancellationToken cancellationToken)
    {
        var credentials = fixture.Services.GetRequiredService<CredentialService>();
        var change = await credentials.CreateAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cancellationToken), projectId,
            new CredentialDraft("Simulator", ProviderKinds.OpenAICompatible, fixture.Simulator.OpenAIBaseUrl.ToString(), tenant.ApiKey), cancellationToken);
        Assert.True(change.Succeeded, change.Error);
        return new GenerationRequest
        {
            ProjectId = projectId,
            CredentialId = change.Id!.Value,
            Model = "sim-generator",
            Goal = "Answer customer-support questions politely and correctly.",
            Variables = ["question", "email"],
            Count = count,
            Tags = ["refund", "login"],
        };
    }

    private static string Question(GeneratedCase c) => JsonSerializer.Deserialize<Dictionary<string, string>>(c.Input)!["question"];

    private static SimStep Batch(IReadOnlyList<string> questions) => SimStep.ReplyJson(new
    {
        cases = questions.Select((q, i) => new
        {
            variables = new Dictionary<string, string> { ["question"] = q, ["email"] = "" },
            expectedOutput = (string?)null,
            tags = new[] { i % 2 == 0 ? "refund" : "login", $"t{i % 7}" },
            difficulty = "medium",
            persona = "expert user",
            scenario = "billing",
        }).ToList(),
    });

    /// Distinct 20-word sentences: no two share a word 3-shingle by more than chance.
    private static List<string> Sentences(int count, int seed)
    {
        var faker = new Faker { Random = new Randomizer(seed) };
        return Enumerable.Range(0, count).Select(i => $"case {i.ToString(CultureInfo.InvariantCulture)} " + faker.Lorem.Sentence(20).TrimEnd('.')).ToList();
    }
}
