using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Edison.Core.Llm;
using Edison.Core.Llm.Structured;
using Edison.IntegrationTests.Support;
using Edison.Testing.Simulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Edison.IntegrationTests.Llm;

/// <summary>
/// The same scenarios against every provider adapter, through the real <see cref="LlmGateway"/> (Edison's retry policy,
/// error classes and the llm_calls row) and the provider simulator. Only streaming goes to the adapter's client directly,
/// as the gateway does not stream.
/// </summary>
[Collection(LlmTimingGroup.Name)]
public sealed class ProviderAdapterConformanceTests(CoreFixture fixture) : IClassFixture<CoreFixture>
{
    private const int MaxAttempts = 3; // CoreFixture's Edison:Llm:MaxAttempts

    public static TheoryData<string> Adapters =>
    [
        ProviderKinds.OpenAI, ProviderKinds.OpenAICompatible, ProviderKinds.AzureOpenAI, ProviderKinds.Anthropic,
        ProviderKinds.Gemini, ProviderKinds.Ollama, ProviderKinds.Bedrock, ProviderKinds.Vertex,
    ];

    // Bedrock's adapter does not stream (ConverseStream's binary framing is not implemented): it has its own test below.
    public static TheoryData<string> StreamingAdapters =>
    [
        ProviderKinds.OpenAI, ProviderKinds.OpenAICompatible, ProviderKinds.AzureOpenAI, ProviderKinds.Anthropic,
        ProviderKinds.Gemini, ProviderKinds.Ollama, ProviderKinds.Vertex,
    ];

    private LlmGateway Gateway => fixture.Services.GetRequiredService<LlmGateway>();

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_PlainReply_ReturnsTextAndRecordsUsageAndCost(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("Hello from the adapter", inputTokens: 1200, outputTokens: 300));
        var spec = await SpecAsync(provider, tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("Say hello"), null, cts.Token);

        Assert.True(result.Succeeded, $"{result.ErrorClass}: {result.Error}");
        Assert.Equal("Hello from the adapter", result.Text);
        Assert.Equal((1200, 300, 1), (result.InputTokens, result.OutputTokens, result.Attempts));
        var price = await PriceAsync(spec.Model, cts.Token);
        var expectedCost = price is null ? 0m : ((1200 * price.Value.Input) + (300 * price.Value.Output)) / 1_000_000m;
        Assert.Equal(expectedCost, result.CostUsd);
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal(new CallRow(provider, spec.Model, "succeeded", 1, 1200, 300, expectedCost, null), row);
        var request = Assert.Single(tenant.Requests);
        Assert.Equal(Adapter.For(provider).WireFormat, request.Provider);
        Assert.Equal("Say hello", request.LastUserText);
        Assert.False(request.Stream);
        foreach (var (name, value) in Adapter.For(provider).Headers ?? new Dictionary<string, string>())
        {
            Assert.Equal(value, request.Headers.GetValueOrDefault(name));
        }
    }

    [Theory]
    [MemberData(nameof(StreamingAdapters))]
    public async Task GetStreamingResponseAsync_Reply_ReassemblesTextAndUsageFromChunks(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("one two three four five", inputTokens: 12, outputTokens: 5));
        var spec = await SpecAsync(provider, tenant, cts.Token);
        var credential = await fixture.Services.GetRequiredService<CredentialStore>().GetAsync(spec.CredentialId, cts.Token);
        using var client = fixture.Services.GetRequiredService<IChatClientFactory>().Create(credential, spec.Model, ModelSettings.Default);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Prompt("Count"), cancellationToken: cts.Token))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 3, $"The text should arrive in several chunks, got {updates.Count(u => u.Text.Length > 0)}.");
        Assert.Equal("one two three four five", response.Text);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.True(Assert.Single(tenant.Requests).Stream);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Bedrock_YieldsTheNonStreamingResponseAsOneUpdate()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("one two three four five", inputTokens: 12, outputTokens: 5));
        var spec = await SpecAsync(ProviderKinds.Bedrock, tenant, cts.Token);
        var credential = await fixture.Services.GetRequiredService<CredentialStore>().GetAsync(spec.CredentialId, cts.Token);
        using var client = fixture.Services.GetRequiredService<IChatClientFactory>().Create(credential, spec.Model, ModelSettings.Default);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Prompt("Count"), cancellationToken: cts.Token))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.Equal("one two three four five", Assert.Single(updates, u => u.Text.Length > 0).Text);
        Assert.Equal((12L, 5L), (response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.False(Assert.Single(tenant.Requests).Stream);
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task StructuredOutput_FencedJsonWithTrailingComma_IsRepairedWithoutASecondCall(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant()
            .Enqueue(SimStep.Reply("```json\n{\"score\": 4, \"rationale\": \"Clear.\",}\n```"))
            .Otherwise(_ => SimStep.Reply("should not be asked again"));
        var spec = await SpecAsync(provider, tenant, cts.Token);

        var verdict = new StructuredCall<ConformanceVerdict>("ConformanceVerdict", "A score and why.",
            JsonSchemas.Object(("score", JsonSchemas.IntegerEnum([1, 2, 3, 4, 5])), ("rationale", JsonSchemas.String())), ReadVerdict);
        var result = await StructuredOutput.CompleteAsync(Gateway, spec, Prompt("Judge this"), verdict, null, cts.Token);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(new ConformanceVerdict(4, "Clear."), result.Value);
        Assert.Equal((true, false), (result.Repaired, result.Retried));
        Assert.Single(tenant.Requests);
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_JsonSchemaResponseFormat_SendsTheSchemaAndTheReplyParsesAsTheType(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Only a request that carries the schema gets the verdict, so an adapter that drops the format fails here.
        var tenant = fixture.Simulator.CreateTenant()
            .Otherwise(r => SchemaSent(r) ? SimStep.ReplyJson(new ConformanceVerdict(4, "Clear.")) : SimStep.Reply("no schema was sent"));
        var spec = await SpecAsync(provider, tenant, cts.Token);
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema<ConformanceVerdict>() };

        var result = await Gateway.CompleteAsync(spec, Prompt("Judge this"), options, cts.Token);

        Assert.True(result.Succeeded, $"{result.ErrorClass}: {result.Error}");
        Assert.Equal(new ConformanceVerdict(4, "Clear."), JsonSerializer.Deserialize<ConformanceVerdict>(result.Text, JsonSerializerOptions.Web));
        Assert.Single(tenant.Requests);
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_429WithRetryAfterThenSuccess_SucceedsOnTheSecondAttempt(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant()
            .Enqueue(SimStep.Status(429, retryAfter: TimeSpan.FromSeconds(1)), SimStep.Reply("after the wait"));
        var spec = await SpecAsync(provider, tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.True(result.Succeeded, $"{result.ErrorClass}: {result.Error}");
        Assert.Equal(("after the wait", 2), (result.Text, result.Attempts));
        Assert.Equal(2, (await CallAsync(result.CallId, cts.Token)).Attempts);
        Assert.Equal(2, tenant.Requests.Count);
        // The gateway's own backoff is 50 ms here, so only an honoured Retry-After makes the gap this long.
        var gap = tenant.Requests[1].ArrivedAt - tenant.Requests[0].ArrivedAt;
        Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"The retry came {gap.TotalMilliseconds:F0} ms after the 429, before its Retry-After of 1 s.");
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_500ThenSuccess_SucceedsOnTheSecondAttempt(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(500), SimStep.Reply("recovered"));
        var spec = await SpecAsync(provider, tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.True(result.Succeeded, $"{result.ErrorClass}: {result.Error}");
        Assert.Equal(("recovered", 2), (result.Text, result.Attempts));
        Assert.Equal(2, tenant.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_400_FailsBadRequestAfterOneAttempt(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Status(400)).Otherwise(_ => SimStep.Reply("should not be asked again"));
        var spec = await SpecAsync(provider, tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal((LlmErrorClass.BadRequest, 1), (result.ErrorClass, result.Attempts));
        var row = await CallAsync(result.CallId, cts.Token);
        Assert.Equal(("failed", 1, nameof(LlmErrorClass.BadRequest)), (row.Status, row.Attempts, row.ErrorClass));
        Assert.Single(tenant.Requests);
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_EveryAttemptSlowerThanAttemptTimeout_RetriesThenFailsTimeout(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var host = await fixture.StartHostAsync([new("Edison:Llm:AttemptTimeout", "00:00:01")], cts.Token);
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Delay(TimeSpan.FromSeconds(10), SimStep.Reply("too late")));
        var spec = await SpecAsync(provider, tenant, cts.Token);
        var stopwatch = Stopwatch.StartNew();

        var result = await host.Services.GetRequiredService<LlmGateway>().CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal((LlmErrorClass.Timeout, MaxAttempts), (result.ErrorClass, result.Attempts));
        Assert.Equal(MaxAttempts, tenant.Requests.Count);
        // Each attempt is cut at the 1 s attempt timeout, long before the scripted 10 s answer.
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(MaxAttempts * 0.9), TimeSpan.FromSeconds(9));
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_CallerCancels_ThrowsOperationCanceledWithinOneSecondWithoutRetrying(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Otherwise(_ => SimStep.Delay(TimeSpan.FromSeconds(10), SimStep.Reply("too late")));
        var spec = await SpecAsync(provider, tenant, cts.Token);
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        caller.CancelAfter(TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Gateway.CompleteAsync(spec, Prompt("hi"), null, caller.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(1300), $"Cancellation took {stopwatch.ElapsedMilliseconds} ms.");
        Assert.Single(tenant.Requests);
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_MalformedBody_FailsMalformedResponseAfterOneAttempt(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Malformed()).Otherwise(_ => SimStep.Reply("should not be asked again"));
        var spec = await SpecAsync(provider, tenant, cts.Token);

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal((LlmErrorClass.MalformedResponse, 1), (result.ErrorClass, result.Attempts));
        Assert.Equal(nameof(LlmErrorClass.MalformedResponse), (await CallAsync(result.CallId, cts.Token)).ErrorClass);
        Assert.Single(tenant.Requests);
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public async Task CompleteAsync_ModelConfigParameters_ReachTheProviderRequestInItsOwnFields(string provider)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant().Enqueue(SimStep.Reply("configured"));
        var spec = await SpecAsync(provider, tenant, cts.Token) with
        {
            // Anthropic refuses a temperature alongside extended thinking, so it gets a budget instead.
            Parameters = provider == ProviderKinds.Anthropic
                ? """{"maxOutputTokens": 4000, "thinkingBudgetTokens": 2048}"""
                : """{"temperature": 0.25, "maxOutputTokens": 200, "reasoningEffort": "low"}""",
        };

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.True(result.Succeeded, $"{result.ErrorClass}: {result.Error}");
        var body = Assert.Single(tenant.Requests).Body;
        switch (Adapter.For(provider).WireFormat)
        {
            case SimProvider.Anthropic:
                Assert.Equal(4000, body["max_tokens"]?.GetValue<int>());
                Assert.Equal("enabled", body["thinking"]?["type"]?.GetValue<string>());
                Assert.Equal(2048, body["thinking"]?["budget_tokens"]?.GetValue<int>());
                Assert.Equal("hi", Assert.Single(tenant.Requests).LastUserText);
                break;
            case SimProvider.Bedrock:
                Assert.Equal(0.25, body["inferenceConfig"]?["temperature"]?.GetValue<double>() ?? double.NaN, 3);
                Assert.Equal(200, body["inferenceConfig"]?["maxTokens"]?.GetValue<int>());
                break;
            case SimProvider.Ollama:
                Assert.Equal(0.25, body["options"]?["temperature"]?.GetValue<double>() ?? double.NaN, 3);
                Assert.Equal(200, body["options"]?["num_predict"]?.GetValue<int>());
                break;
            default:
                Assert.Equal(0.25, body["temperature"]?.GetValue<double>() ?? double.NaN, 3);
                Assert.Equal(200, body["max_completion_tokens"]?.GetValue<int>());
                Assert.Equal("low", body["reasoning_effort"]?.GetValue<string>());
                break;
        }
    }

    [Fact]
    public async Task CompleteAsync_InvalidModelConfigParameters_FailsBadRequestWithoutCallingTheProvider()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = fixture.Simulator.CreateTenant();
        var spec = await SpecAsync(ProviderKinds.OpenAI, tenant, cts.Token) with { Parameters = """{"reasoningEffort": "maximum"}""" };

        var result = await Gateway.CompleteAsync(spec, Prompt("hi"), null, cts.Token);

        Assert.False(result.Succeeded);
        Assert.Equal(LlmErrorClass.BadRequest, result.ErrorClass);
        Assert.Contains("reasoningEffort", result.Error, StringComparison.Ordinal);
        Assert.Empty(tenant.Requests);
    }

    private static (ConformanceVerdict? Value, string? Error) ReadVerdict(JsonElement root) =>
        (new ConformanceVerdict(root.GetProperty("score").GetInt32(), root.GetProperty("rationale").GetString()!), null);

    // Bedrock's Converse has no response-format field: the adapter forces one tool whose input schema is the answer's.
    private static bool SchemaSent(SimRequest request) =>
        request.Body["toolConfig"]?["tools"]?[0]?["toolSpec"]?["inputSchema"]?["json"] is JsonObject
        || request.Body["response_format"]?["json_schema"]?["schema"] is JsonObject
        || request.Body["output_config"]?["format"]?["schema"] is JsonObject
        || request.Body["format"] is JsonObject;

    private async Task<LlmCallSpec> SpecAsync(string provider, SimTenant tenant, CancellationToken cancellationToken)
    {
        var experimentId = await SimulatedExperiment.CreateAsync(fixture.Services,
            SimulatedExperiment.Draft(fixture.Simulator, tenant, cases: 1), cancellationToken);
        var (projectId, _) = await SimulatedExperiment.CredentialAsync(fixture.Database.DataSource, experimentId, cancellationToken);
        var adapter = Adapter.For(provider);
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var credentialId = await fixture.Services.GetRequiredService<CredentialStore>().CreateAsync(connection, transaction, projectId,
            $"{provider} conformance {Guid.NewGuid():N}", provider, adapter.BaseUrl(fixture.Simulator),
            adapter.Secret?.Invoke(tenant, fixture.Simulator) ?? tenant.ApiKey, adapter.Headers, adapter.Settings, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new LlmCallSpec(projectId, credentialId, adapter.Model, "conformance") { ExperimentId = experimentId };
    }

    private static List<ChatMessage> Prompt(string text) => [new(ChatRole.System, "You are terse."), new(ChatRole.User, text)];

    private async Task<(decimal Input, decimal Output)?> PriceAsync(string model, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<(decimal, decimal)?>(new CommandDefinition(
            "SELECT input_per_mtok, output_per_mtok FROM model_prices WHERE model = @model ORDER BY effective_from DESC LIMIT 1",
            new { model }, cancellationToken: cancellationToken));
    }

    private async Task<CallRow> CallAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<CallRow>(new CommandDefinition("""
            SELECT provider, model, status, attempts, input_tokens, output_tokens, cost_usd, error_class FROM llm_calls WHERE id = @id
            """, new { id }, cancellationToken: cancellationToken));
    }

    public sealed record ConformanceVerdict(int Score, string Rationale);

    private sealed record CallRow(string Provider, string Model, string Status, int Attempts, int InputTokens, int OutputTokens, decimal CostUsd,
        string? ErrorClass);

    // How each adapter reaches the simulator.
    internal sealed record Adapter(string Model, string WireFormat, Func<ProviderSimulator, Uri> BaseUrl,
        IReadOnlyDictionary<string, string>? Headers = null)
    {
        /// The stored secret when it is not the tenant's key itself.
        public Func<SimTenant, ProviderSimulator, string>? Secret { get; init; }

        public IReadOnlyDictionary<string, string>? Settings { get; init; }

        public static Adapter For(string provider) => provider switch
        {
            ProviderKinds.OpenAI => new("gpt-4o-mini", SimProvider.OpenAI, s => s.OpenAIBaseUrl),
            ProviderKinds.OpenAICompatible => new("gpt-4o-mini", SimProvider.OpenAI, s => s.OpenAIBaseUrl,
                new Dictionary<string, string> { ["X-Title"] = "Edison conformance" }),
            ProviderKinds.AzureOpenAI => new("gpt-4o-mini", SimProvider.AzureOpenAI, s => s.BaseUrl,
                new Dictionary<string, string> { ["X-Title"] = "Edison conformance" }),
            ProviderKinds.Anthropic => new("claude-sonnet-4-5", SimProvider.Anthropic, s => s.BaseUrl,
                new Dictionary<string, string> { ["X-Title"] = "Edison conformance" }),
            ProviderKinds.Gemini => new("gemini-2.5-flash", SimProvider.OpenAI, s => s.OpenAIBaseUrl),
            ProviderKinds.Ollama => new("llama3", SimProvider.Ollama, s => s.BaseUrl,
                new Dictionary<string, string> { ["X-Title"] = "Edison conformance" }),
            // The access key id names the tenant; the simulator checks the SigV4 header's shape, not the signature.
            ProviderKinds.Bedrock => new("anthropic.claude-3-5-haiku-20241022-v1:0", SimProvider.Bedrock, s => s.BaseUrl,
                new Dictionary<string, string> { ["X-Title"] = "Edison conformance" })
            {
                Secret = (tenant, _) => CloudKeys.Bedrock(tenant),
                Settings = new Dictionary<string, string> { ["region"] = "us-east-1" },
            },
            // The service account's email names the tenant at the simulator's token endpoint, which the key's token_uri points to.
            ProviderKinds.Vertex => new("google/gemini-2.5-flash", SimProvider.Vertex, s => s.BaseUrl)
            {
                Secret = CloudKeys.ServiceAccountJson,
                Settings = new Dictionary<string, string> { ["project"] = "edison-sim", ["location"] = "europe-west4" },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "No conformance setup for this adapter."),
        };
    }
}
