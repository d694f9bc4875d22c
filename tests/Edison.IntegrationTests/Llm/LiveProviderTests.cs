using Dapper;
using Edison.Core.ClosedLoop;
using Edison.Core.Datasets;
using Edison.Core.Experiments;
using Edison.Core.Judging;
using Edison.Core.Llm;
using Edison.IntegrationTests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Edison.Testing;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// The gateway against real providers, when their keys are set: a test connection, a plain reply with usage recorded, a
/// judge verdict through structured output, and one closed-loop iteration ending in a refiner suggestion. Models default to small, cheap ones and can be changed by environment variable.
/// </summary>
public sealed class LiveProviderTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private static readonly string[] Countries = ["France", "Japan", "Kenya"];

    [LiveProviderFact("EDISON_LIVE_OPENAI_KEY")]
    public Task OpenAI_RealService_AnswersAndJudges() =>
        RunAsync(ProviderKinds.OpenAI, null, Env("EDISON_LIVE_OPENAI_KEY")!, Env("EDISON_LIVE_OPENAI_MODEL") ?? "gpt-4o-mini");

    [LiveProviderFact("EDISON_LIVE_ANTHROPIC_KEY")]
    public Task Anthropic_RealService_AnswersAndJudges() =>
        RunAsync(ProviderKinds.Anthropic, null, Env("EDISON_LIVE_ANTHROPIC_KEY")!, Env("EDISON_LIVE_ANTHROPIC_MODEL") ?? "claude-haiku-4-5");

    [LiveProviderFact("EDISON_LIVE_GEMINI_KEY")]
    public Task Gemini_RealService_AnswersAndJudges() =>
        RunAsync(ProviderKinds.Gemini, null, Env("EDISON_LIVE_GEMINI_KEY")!, Env("EDISON_LIVE_GEMINI_MODEL") ?? "gemini-2.5-flash");

    [LiveProviderFact("EDISON_LIVE_OLLAMA_URL")]
    public Task Ollama_RealServer_AnswersAndJudges() =>
        RunAsync(ProviderKinds.Ollama, Env("EDISON_LIVE_OLLAMA_URL"), "", Env("EDISON_LIVE_OLLAMA_MODEL") ?? "llama3.2");

    private async Task RunAsync(string provider, string? baseUrl, string apiKey, string model)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var credentials = fixture.Services.GetRequiredService<CredentialService>();
        var projectId = await fixture.Services.GetRequiredService<ExperimentService>().DefaultProjectIdAsync(cts.Token);
        var created = await credentials.CreateAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, new CredentialDraft($"live {provider}", provider, baseUrl, apiKey), cts.Token);
        Assert.True(created.Succeeded, created.Error);
        var credentialId = created.Id!.Value;

        var test = await credentials.TestConnectionAsync(await TestActors.OwnerOfAsync(fixture.Services, projectId, cts.Token),
            projectId, credentialId, model, cts.Token);
        Assert.True(test.Ok, test.Error);

        var gateway = fixture.Services.GetRequiredService<LlmGateway>();
        var spec = new LlmCallSpec(projectId, credentialId, model, "live-test");
        var plain = await gateway.CompleteAsync(spec, [new ChatMessage(ChatRole.User, "Name one primary colour. One word.")],
            new ChatOptions { MaxOutputTokens = 20 }, cts.Token);
        Assert.True(plain.Succeeded, plain.Error);
        Assert.False(string.IsNullOrWhiteSpace(plain.Text));
        Assert.True(plain.InputTokens > 0 && plain.OutputTokens > 0, "The provider reported no usage.");

        var rubric = Rubric.SingleCriterion("Correctness", "Names a primary colour.");
        var messages = JudgePrompt.Build("Name one primary colour.", rubric, "{\"question\": \"Name one primary colour.\"}", null, "Blue", "");
        var verdict = await gateway.CompleteAsync(spec with { Purpose = "live-judge" }, messages,
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema<PointwiseVerdict>(), MaxOutputTokens = 800 }, cts.Token);
        Assert.True(verdict.Succeeded, verdict.Error);
        var (parsed, error) = VerdictParser.Parse(verdict.Text, rubric);
        Assert.True(parsed is not null, error);

        await RunOneLoopIterationAsync(credentialId, model, cts.Token);
    }

    // One closed-loop iteration with the real model as model under test, judge and refiner: every output and verdict
    // succeeds and the refiner's edits apply to the prompt, ending in a suggestion waiting for review.
    private async Task RunOneLoopIterationAsync(Guid credentialId, string model, CancellationToken cancellationToken)
    {
        var services = fixture.Services;
        var (experimentId, errors) = await services.GetRequiredService<ExperimentService>().CreateAsync(await TestActors.OwnerAsync(services, cancellationToken), new ExperimentDefinition
        {
            Name = $"Live loop {model}",
            Goal = "Name the capital city of the given country in one word.",
            Rubric = Rubric.SingleCriterion("Correctness", "The answer is the capital city and nothing else."),
            PromptTemplate = "What is the capital of {{ country }}?",
            SystemText = "You answer questions.",
            Cases = Countries.Select(c => new CaseInput(
                new Dictionary<string, System.Text.Json.JsonElement> { ["country"] = System.Text.Json.JsonSerializer.SerializeToElement(c) }, null, [],
                null)).ToList(),
            Models = [new ModelConfigDraft(credentialId, model) { ParametersJson = """{"maxOutputTokens": 50}""" }],
            Judges = [new JudgeConfigDraft(JudgeKinds.Pointwise, credentialId, model)],
            Refiner = new RefinerConfig { CredentialId = credentialId, Model = model },
        }, cancellationToken);
        Assert.True(experimentId is not null, string.Join("; ", errors.SelectMany(e => e.Value)));

        var iterationId = await IterationDriver.RunAsync(services, experimentId.Value, cancellationToken);
        await services.GetRequiredService<RefinementService>().RefineAsync(iterationId, cancellationToken);

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(string Status, int Outputs, int Judged, string? Suggestion, string? Error)>(new CommandDefinition("""
            SELECT i.status,
                   (SELECT count(*)::int FROM outputs o JOIN model_runs mr ON mr.id = o.model_run_id WHERE mr.iteration_id = i.id AND o.status = 'succeeded'),
                   (SELECT count(*)::int FROM judgments WHERE iteration_id = i.id AND status = 'succeeded'),
                   (SELECT status FROM suggestions WHERE iteration_id = i.id), (SELECT error FROM suggestions WHERE iteration_id = i.id)
            FROM iterations i WHERE i.id = @iterationId
            """, new { iterationId }, cancellationToken: cancellationToken));
        Assert.Equal(("reviewing", Countries.Length, Countries.Length, "pending"), (row.Status, row.Outputs, row.Judged, row.Suggestion));
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
