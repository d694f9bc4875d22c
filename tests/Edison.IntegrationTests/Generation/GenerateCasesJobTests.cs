using System.Text.Json;
using Edison.Core.Generation;
using Edison.IntegrationTests.Support;
using Edison.Testing;
using Edison.Testing.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Generation;

/// <summary>
/// Generation as deployed: the web side starts a run, a real worker process picks up the GenerateCases job from Quartz and
/// generates through the simulator, and the run reaches review with the duplicates dropped.
/// </summary>
public sealed class GenerateCasesJobTests(WorkerLoopFixture fixture) : IClassFixture<WorkerLoopFixture>
{
    private static readonly string[] Tags = ["orders"];

    [Fact]
    public async Task GenerateCasesJob_StartedFromTheWebSide_WorkerGeneratesThroughTheSimulatorIntoReview()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var questions = new[] { "Where is order 1 from the spring sale?", "Can order 2 ship to a locker in Ghent?", "Where is order 1 from the spring sale?",
            "Why does order 3 show a customs fee nobody mentioned?", "Can I split order 4 into two deliveries for two addresses?" };
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.ReplyJson(new
        {
            cases = questions.Select(q => new { variables = new Dictionary<string, string> { ["question"] = q }, tags = Tags }).ToList(),
        }));
        var projectId = await CredentialScenario.ProjectAsync(fixture.Database.DataSource, cts.Token);
        var credentialId = await CredentialScenario.CreateAsync(fixture.Services, projectId,
            CredentialScenario.Draft(fixture.Simulator, tenant), cts.Token);
        var generation = fixture.Services.GetRequiredService<GenerationService>();

        var runId = await generation.StartAsync(await TestActors.OwnerOfAsync(fixture.Database.DataSource, projectId, cts.Token), new GenerationRequest
        {
            ProjectId = projectId, CredentialId = credentialId, Model = "sim-writer", Goal = "Answer order questions.", Variables = ["question"],
            Count = 4, DiversityTarget = 0.1,
        }, cts.Token);
        GenerationRun run;
        do
        {
            await Task.Delay(200, cts.Token);
            run = (await generation.GetAsync(runId, cts.Token))!;
        }
        while (run.Status is GenerationStatus.Pending or GenerationStatus.Running);

        Assert.Equal((GenerationStatus.Review, 1, 4, 1), (run.Status, run.Rounds, run.UniqueCases, run.DroppedCases));
        var cases = await generation.GetCasesAsync(runId, cts.Token);
        Assert.Equal("Exact duplicate of case 1.", cases.Single(c => c.Status == "dropped").DropReason);
        Assert.Equal(questions.Distinct(), cases.Where(c => c.Status == "pending")
            .Select(c => JsonSerializer.Deserialize<Dictionary<string, string>>(c.Input)!["question"]));
        Assert.Single(tenant.Requests, r => r.SchemaName == nameof(GeneratedBatch));
    }
}
