using System.Text.Json;
using Edison.Core.Experiments;
using Edison.Core.Generation;
using Edison.Core.Judging;
using Edison.Core.Llm;
using Edison.Core.Llm.Structured;
using Edison.Core.Refining;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// Every entry of <see cref="StructuredCalls"/> through every provider adapter (so every wire format the simulator speaks:
/// OpenAI, Azure OpenAI, Vertex, Anthropic, Ollama, Bedrock) against the schema-obedient, content-blind simulator: an answer
/// that is any valid instance of the schema sent must be a usable result, through the real gateway and parser.
/// </summary>
[Collection(LlmTimingGroup.Name)]
public sealed class SchemaObedientTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    public static readonly string[] Entries =
    [
        "pointwise", "screening", "pairwise", "assist-options", "assist-improve", "rubric", "seed-prompt", "seed-prompt-own-variables",
        "generated-cases", "refiner-diagnosis", "refiner-plan", "refiner-edits", "refiner-critique",
    ];

    public static readonly string[] Providers =
    [
        ProviderKinds.OpenAI, ProviderKinds.OpenAICompatible, ProviderKinds.AzureOpenAI, ProviderKinds.Anthropic,
        ProviderKinds.Gemini, ProviderKinds.Ollama, ProviderKinds.Bedrock, ProviderKinds.Vertex,
    ];

    private static readonly Rubric ThreeCriteria = new(
    [
        new RubricCriterion("Accuracy", "Correct.", 0.5, 1, 5, new Dictionary<int, string> { [1] = "wrong", [5] = "right" }),
        new RubricCriterion("Tone & style", "Friendly.", 0.3, 0, 10, new Dictionary<int, string>()),
        new RubricCriterion("Brevity", "Short.", 0.2, 1, 3, new Dictionary<int, string> { [1] = "long", [3] = "short" }),
    ]);

    private static readonly PromptFields Prompt = new("You are a careful assistant.\nAnswer in English.",
        "Question: {{ question }}\nContext: {{ context }}\nAnswer briefly.", []);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var entry in Entries)
        {
            foreach (var provider in Providers)
            {
                data.Add(entry, provider);
            }
        }

        return data;
    }

    private LlmGateway Gateway => fixture.Services.GetRequiredService<LlmGateway>();

    [Fact]
    public void Cases_EveryEntryTimesEveryAdapter_CoversAllSixWireFormats()
    {
        Assert.Equal(Entries.Length * Providers.Length, Cases().Count);
        Assert.Equal(6, Providers.Select(p => ProviderAdapterConformanceTests.Adapter.For(p).WireFormat).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task StructuredCall_SchemaObedientContentBlindProvider_GivesAUsableResult(string entry, string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(SchemaObedience.Answer);
        var spec = await SpecAsync(provider, tenant, cts.Token);

        switch (entry)
        {
            case "pointwise" or "screening":
                var verdict = await CallAsync(spec, StructuredCalls.PointwiseVerdict(ThreeCriteria), cts.Token);
                Assert.All(ThreeCriteria.Criteria, c => Assert.InRange(verdict.Scores.Single(s => s.Criterion == c.Name).Score, c.ScaleMin, c.ScaleMax));
                Assert.InRange(VerdictParser.Composite(verdict, ThreeCriteria), 0, 10);
                break;
            case "pairwise":
                var pair = await CallAsync(spec, StructuredCalls.PairwiseVerdict(), cts.Token);
                Assert.NotNull(PairwiseWinner.Parse(pair.Winner).Winner);
                break;
            case "assist-options":
                var options = await CallAsync(spec, StructuredCalls.AssistOptions(), cts.Token);
                Assert.Equal(3, options.Options.Where(o => !string.IsNullOrWhiteSpace(o)).Distinct().Count());
                break;
            case "assist-improve":
                var improved = await CallAsync(spec, StructuredCalls.AssistImprove(), cts.Token);
                Assert.False(string.IsNullOrWhiteSpace(improved.Improved));
                Assert.NotEmpty(improved.Reasons);
                break;
            case "rubric":
                var rubric = await CallAsync(spec, StructuredCalls.Rubric(), cts.Token);
                Assert.InRange(rubric.Criteria.Count, 3, 5);
                Assert.All(rubric.Criteria, c => Assert.True(c.Weight > 0 && c.Labels.Count == 5 && c.Labels.All(l => l.Trim().Length > 0)));
                Assert.Equal(rubric.Criteria.Count, rubric.Criteria.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
                break;
            case "seed-prompt" or "seed-prompt-own-variables":
                string[] given = entry == "seed-prompt" ? [] : ["question", "context"];
                var seed = await CallAsync(spec, StructuredCalls.SeedPrompt(ThreeCriteria, given), cts.Token);
                Assert.NotEmpty(seed.Variables);
                Assert.All(seed.Variables, v => Assert.Matches("^[a-z_][a-z0-9_]*$", v));
                Assert.All(seed.Variables, v => Assert.Contains("{{ " + v + " }}", seed.Template, StringComparison.Ordinal));
                Assert.All(ThreeCriteria.Criteria, c => Assert.Contains(seed.Techniques, t => t.Criterion == c.Name && t.Technique.Trim().Length > 0));
                break;
            case "generated-cases":
                string[] variables = ["question", "context"];
                var batch = await CallAsync(spec, StructuredCalls.GeneratedCases(variables, 5), cts.Token);
                Assert.All(batch.Cases, c => Assert.All(variables, v => Assert.False(string.IsNullOrWhiteSpace(c.Variables[v]))));
                var inputs = batch.Cases.Select(c => new Edison.Core.Datasets.CaseInput(
                    variables.ToDictionary(v => v, v => JsonSerializer.SerializeToElement(c.Variables[v])), c.ExpectedOutput, [], null)).ToList();
                Assert.Equal(5, new CaseDeduplicator().Add(inputs).Count(d => d.Kept));
                break;
            case "refiner-diagnosis":
                var diagnosis = await CallAsync(spec, StructuredCalls.RefinerDiagnosis(ThreeCriteria), cts.Token);
                Assert.NotEmpty(diagnosis.Hypotheses);
                Assert.All(diagnosis.Hypotheses, h => Assert.Contains(h.Criterion, ThreeCriteria.Criteria.Select(c => c.Name)));
                break;
            case "refiner-plan":
                var plan = await CallAsync(spec, StructuredCalls.RefinerPlan(ThreeCriteria), cts.Token);
                Assert.Contains(plan.Changes, c => c.Trim().Length > 0);
                break;
            case "refiner-edits":
                var edits = await CallAsync(spec, StructuredCalls.RefinerEdits(Prompt), cts.Token);
                var applied = PromptEditApplier.Apply(Prompt, edits.Edits, new HashSet<string>(["question", "context"]), 0.5);
                Assert.True(applied.Succeeded, string.Join(" ", applied.Errors));
                break;
            case "refiner-critique":
                var critique = await CallAsync(spec, StructuredCalls.RefinerCritique(), cts.Token);
                Assert.True(critique.Ok && critique.Violations.Count == 0);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(entry), entry, "Unknown registry entry.");
        }

        var request = Assert.Single(tenant.Requests);
        Assert.Equal(ProviderAdapterConformanceTests.Adapter.For(provider).WireFormat, request.Provider);
    }

    private async Task<T> CallAsync<T>(LlmCallSpec spec, StructuredCall<T> call, CancellationToken cancellationToken)
        where T : class
    {
        var result = await StructuredOutput.CompleteAsync(Gateway, spec, [new(ChatRole.System, "Answer in JSON."), new(ChatRole.User, "Go.")], call,
            new ChatOptions { Temperature = 0 }, cancellationToken);
        Assert.True(result.Succeeded, $"{call.Name}: {result.Error} — the answer was: {result.Call.Text}");
        Assert.False(result.Retried, $"{call.Name} needed the retry: the first answer did not parse.");
        return result.Value!;
    }

    private async Task<LlmCallSpec> SpecAsync(string provider, SimTenant tenant, CancellationToken cancellationToken)
    {
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, cases: 1), cancellationToken);
        var (projectId, _) = await SimulatedExperiment.CredentialAsync(fixture.Database.DataSource, experimentId, cancellationToken);
        var adapter = ProviderAdapterConformanceTests.Adapter.For(provider);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var credentialId = await fixture.Services.GetRequiredService<CredentialStore>().CreateAsync(connection, transaction, projectId,
            $"{provider} schema-obedient {Guid.NewGuid():N}", provider, adapter.BaseUrl(fixture.Simulator),
            adapter.Secret?.Invoke(tenant, fixture.Simulator) ?? tenant.ApiKey, adapter.Headers, adapter.Settings, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new LlmCallSpec(projectId, credentialId, adapter.Model, "schema-obedient") { ExperimentId = experimentId };
    }
}
