using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Edison.Core.Judging;
using Edison.Core.Llm;
using Edison.Core.Llm.Local;
using Edison.Core.Llm.Structured;
using Edison.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// The local in-process adapter on the real tiny GGUF model: usage counted with its vocabulary, finish reasons, seeds,
/// output limits, cancellation, grammar-constrained JSON and the llm_calls row written through the gateway.
/// </summary>
public sealed class LocalModelConformanceTests(LocalModelFixture fixture, ITestOutputHelper output) : IClassFixture<LocalModelFixture>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly string[] ListProperties = ["suggestions", "safetyFlags"];
    private static readonly string[] FinishReasons = ["stop", "length"];

    [TinyModelFact]
    public async Task GetResponseAsync_PlainPrompt_ReturnsTextUsageAndFinishReason()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = Client();
        var weights = await fixture.Cache.GetAsync(fixture.ModelPath, cts.Token);

        var stopwatch = Stopwatch.StartNew();
        var response = await client.GetResponseAsync(Prompt("Once upon a time"), new ChatOptions { Seed = 1, MaxOutputTokens = 200 }, cts.Token);
        stopwatch.Stop();

        Assert.False(string.IsNullOrWhiteSpace(response.Text));
        Assert.NotNull(response.Usage);
        Assert.Equal(weights.Tokenize("Once upon a time", true, true, System.Text.Encoding.UTF8).Length, response.Usage.InputTokenCount);
        Assert.InRange(response.Usage.OutputTokenCount ?? 0, 1, 200);
        Assert.True(response.FinishReason == ChatFinishReason.Stop || response.FinishReason == ChatFinishReason.Length, $"finish reason {response.FinishReason}");
        Assert.Equal(TinyModel.FileName, response.ModelId);
        output.WriteLine($"load {fixture.LoadTime.TotalMilliseconds:F0} ms; {response.Usage.OutputTokenCount} tokens in {stopwatch.ElapsedMilliseconds} ms " +
            $"({response.Usage.OutputTokenCount / stopwatch.Elapsed.TotalSeconds:F0} tok/s), finish {response.FinishReason}: {response.Text}");
    }

    [TinyModelFact]
    public async Task GetResponseAsync_SameSeedTwice_ReturnsIdenticalTextAndAnotherSeedDiffers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = Client();

        var first = await client.GetResponseAsync(Prompt("Once upon a time"), new ChatOptions { Seed = 42, MaxOutputTokens = 40 }, cts.Token);
        var second = await client.GetResponseAsync(Prompt("Once upon a time"), new ChatOptions { Seed = 42, MaxOutputTokens = 40 }, cts.Token);
        var other = await client.GetResponseAsync(Prompt("Once upon a time"), new ChatOptions { Seed = 7, MaxOutputTokens = 40 }, cts.Token);

        Assert.Equal(first.Text, second.Text);
        Assert.NotEqual(first.Text, other.Text);
    }

    [TinyModelFact]
    public async Task GetResponseAsync_MaxOutputTokens_StopsAtTheLimitWithFinishReasonLength()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = Client();

        var response = await client.GetResponseAsync(Prompt("Once upon a time"), new ChatOptions { Seed = 3, MaxOutputTokens = 5 }, cts.Token);

        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [TinyModelFact]
    public async Task GetStreamingResponseAsync_CancelledMidGeneration_StopsWithinOneSecond()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        using var client = Client();
        var cancelledAt = Stopwatch.StartNew();
        var updates = 0;

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Prompt("Once upon a time"),
                new ChatOptions { Seed = 5, MaxOutputTokens = 1500 }, cts.Token))
            {
                if (++updates == 1)
                {
                    cancelledAt.Restart();
                    await cts.CancelAsync();
                }
            }
        });

        Assert.False(timeout.IsCancellationRequested, "The 30 s guard fired instead of the test's own cancellation.");
        Assert.True(cancelledAt.Elapsed < TimeSpan.FromSeconds(1), $"Generation went on for {cancelledAt.ElapsedMilliseconds} ms after cancellation.");
        Assert.InRange(updates, 1, 3);
        output.WriteLine($"stopped {cancelledAt.Elapsed.TotalMilliseconds:F1} ms after cancellation ({cancelled.GetType().Name}).");
    }

    [TinyModelFact]
    public async Task GetResponseAsync_JsonSchemaForOneCriterionVerdict_ParsesEveryTimeWithTheScoreInRange()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = Client();
        var format = ChatResponseFormat.ForJsonSchema(OneCriterionVerdictSchema("clarity"), "verdict");

        for (var seed = 1; seed <= 5; seed++)
        {
            var stopwatch = Stopwatch.StartNew();
            var response = await client.GetResponseAsync(Prompt("Judge the answer for clarity."),
                new ChatOptions { Seed = seed, ResponseFormat = format, MaxOutputTokens = 1500 }, cts.Token);

            var verdict = JsonSerializer.Deserialize<PointwiseVerdict>(response.Text, Web);
            Assert.NotNull(verdict);
            var score = Assert.Single(verdict.Scores);
            Assert.Equal("clarity", score.Criterion);
            Assert.InRange(score.Score, 1, 5);
            Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
            output.WriteLine($"seed {seed}: {response.Usage?.OutputTokenCount} tokens in {stopwatch.ElapsedMilliseconds} ms: {response.Text}");
        }
    }

    [TinyModelFact]
    public async Task StructuredOutput_RegistryVerdictForAThreeCriterionRubric_GrammarFromTheSameSchemaGivesAVerdictThatParses()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var gateway = fixture.Services.GetRequiredService<LlmGateway>();
        var rubric = new Edison.Core.Experiments.Rubric(
        [
            new Edison.Core.Experiments.RubricCriterion("Clarity", "Clear.", 0.4, 1, 5, new Dictionary<int, string>()),
            new Edison.Core.Experiments.RubricCriterion("Kind tone", "Kind.", 0.3, 1, 5, new Dictionary<int, string>()),
            new Edison.Core.Experiments.RubricCriterion("Brevity", "Short.", 0.3, 1, 3, new Dictionary<int, string>()),
        ]);
        var verdictCall = StructuredCalls.PointwiseVerdict(rubric);

        for (var seed = 1; seed <= 3; seed++)
        {
            var spec = new LlmCallSpec(fixture.ProjectId, fixture.CredentialId, TinyModel.FileName, "test") { SampleIndex = seed };
            var stopwatch = Stopwatch.StartNew();
            var result = await StructuredOutput.CompleteAsync(gateway, spec, Prompt("Judge the story for clarity, kind tone and brevity."), verdictCall,
                new ChatOptions { Seed = seed, MaxOutputTokens = 6000 }, cts.Token);

            output.WriteLine($"seed {seed}: {result.Call.OutputTokens} tokens in {stopwatch.ElapsedMilliseconds} ms: {result.Call.Text}");
            Assert.True(result.Succeeded, result.Error);
            Assert.False(result.Retried, "The grammar-constrained first answer did not parse.");
            Assert.Equal(["Clarity", "Kind tone", "Brevity"], result.Value!.Scores.Select(s => s.Criterion));
            Assert.All(rubric.Criteria, c => Assert.InRange(result.Value.Scores.Single(s => s.Criterion == c.Name).Score, c.ScaleMin, c.ScaleMax));
        }
    }

    [TinyModelFact]
    public async Task CompleteAsync_LocalCredential_RecordsACallRowWithTokensAndZeroCost()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var gateway = fixture.Services.GetRequiredService<LlmGateway>();
        var spec = new LlmCallSpec(fixture.ProjectId, fixture.CredentialId, TinyModel.FileName, "test");

        var result = await gateway.CompleteAsync(spec, Prompt("Once upon a time"), new ChatOptions { Seed = 9, MaxOutputTokens = 20 }, cts.Token);

        Assert.True(result.Succeeded, result.Error);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cts.Token);
        var row = await connection.QuerySingleAsync<CallRow>(new CommandDefinition("""
            SELECT provider, model, status, input_tokens, output_tokens, cost_usd, finish_reason, response_text FROM llm_calls WHERE id = @CallId
            """, result, cancellationToken: cts.Token));
        Assert.Equal(LocalModelAdapter.Provider, row.Provider);
        Assert.Equal(TinyModel.FileName, row.Model);
        Assert.Equal("succeeded", row.Status);
        Assert.True(row.InputTokens > 0, "No input tokens were recorded.");
        Assert.InRange(row.OutputTokens, 1, 20);
        Assert.Equal(0m, row.CostUsd);
        Assert.Contains(row.FinishReason, FinishReasons);
        Assert.Equal(result.Text, row.ResponseText);
    }

    [TinyModelFact]
    public void Create_CredentialForAMissingFile_FailsWithAMessageNamingTheFile()
    {
        var credential = new ProviderCredential(Guid.NewGuid(), fixture.ProjectId, LocalModelAdapter.Provider,
            new Uri(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.gguf")), "");

        var error = Assert.Throws<LlmCallException>(() => LocalModelAdapter.Create(credential, "missing", fixture.Cache));

        Assert.Equal(LlmErrorClass.BadRequest, error.ErrorClass);
        Assert.Contains(".gguf' was not found", error.Message, StringComparison.Ordinal);
    }

    private IChatClient Client() => LocalModelAdapter.Create(
        new ProviderCredential(fixture.CredentialId, fixture.ProjectId, LocalModelAdapter.Provider, new Uri(Path.GetDirectoryName(fixture.ModelPath) + "/"), ""),
        TinyModel.FileName, fixture.Cache);

    private static List<ChatMessage> Prompt(string text) => [new(ChatRole.User, text)];

    /// What a judge for a one-criterion rubric sends: M.E.AI's schema for the verdict, narrowed to the rubric and to text short
    /// enough for the tiny model's 2,048-token context.
    private static JsonElement OneCriterionVerdictSchema(string criterion)
    {
        var node = JsonNode.Parse(AIJsonUtilities.CreateJsonSchema(typeof(PointwiseVerdict)).GetRawText())!;
        var properties = node["properties"]!;
        properties["reasoning"]!["maxLength"] = 80;
        properties["scores"]!["minItems"] = 1;
        properties["scores"]!["maxItems"] = 1;
        var item = properties["scores"]!["items"]!["properties"]!;
        item["criterion"] = new JsonObject { ["enum"] = new JsonArray(criterion) };
        item["score"]!["minimum"] = 1;
        item["score"]!["maximum"] = 5;
        item["rationale"]!["maxLength"] = 60;
        foreach (var list in ListProperties)
        {
            properties[list]!["maxItems"] = 2;
            properties[list]!["items"]!["maxLength"] = 40;
        }

        return JsonSerializer.SerializeToElement(node);
    }

    private sealed record CallRow(string Provider, string Model, string Status, int InputTokens, int OutputTokens, decimal CostUsd,
        string? FinishReason, string? ResponseText);
}
