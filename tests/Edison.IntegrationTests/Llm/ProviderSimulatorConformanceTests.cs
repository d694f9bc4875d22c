using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Azure.AI.OpenAI;
using Edison.Testing.Simulator;
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace Edison.IntegrationTests.Llm;

/// <summary>The real provider SDKs, through Microsoft.Extensions.AI, understand what the simulator sends.</summary>
public sealed class ProviderSimulatorConformanceTests(ProviderSimulatorFixture fixture) : IClassFixture<ProviderSimulatorFixture>
{
    private const string OpenAIModel = "gpt-4o-mini";
    private const string AnthropicModel = "claude-sonnet-4-5";

    private readonly ProviderSimulator _sim = fixture.Simulator;

    [Fact]
    public async Task GetResponseAsync_OpenAIReply_ReturnsTextAndUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Reply("Hello from the simulator", inputTokens: 21, outputTokens: 7));
        using var client = OpenAIChat(tenant);

        var response = await client.GetResponseAsync(Conversation("Say hello"), cancellationToken: cts.Token);

        Assert.Equal("Hello from the simulator", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(21, response.Usage?.InputTokenCount);
        Assert.Equal(7, response.Usage?.OutputTokenCount);
        Assert.Equal(28, response.Usage?.TotalTokenCount);
        var request = Assert.Single(tenant.Requests);
        Assert.Equal(SimProvider.OpenAI, request.Provider);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal(OpenAIModel, request.Model);
        Assert.Equal(tenant.ApiKey, request.ApiKey);
        Assert.False(request.Stream);
        Assert.Null(request.SchemaName);
        Assert.Equal([new SimMessage("system", "You are terse."), new SimMessage("user", "Say hello")], request.Messages);
        Assert.Equal("Say hello", request.LastUserText);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_OpenAIReply_ReassemblesTextAndUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Reply("one two three four", inputTokens: 12, outputTokens: 4));
        using var client = OpenAIChat(tenant);

        var updates = await StreamAsync(client, Conversation("Count"), cts.Token);
        var response = updates.ToChatResponse();

        Assert.True(updates.Count(u => u.Text.Length > 0) >= 4, "The text should arrive in several chunks.");
        Assert.Equal("one two three four", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(4, response.Usage?.OutputTokenCount);
        var request = Assert.Single(tenant.Requests);
        Assert.True(request.Stream);
        Assert.Equal("Count", request.LastUserText);
    }

    [Fact]
    public async Task GetResponseAsyncOfT_OpenAISchemaRoutedReply_ParsesTypedResult()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant()
            .Otherwise(r => r.SchemaName == nameof(Verdict) ? SimStep.ReplyJson(new Verdict(4, "Clear and short.")) : SimStep.Reply("not a verdict"));
        using var client = OpenAIChat(tenant);

        var response = await client.GetResponseAsync<Verdict>("Judge this", cancellationToken: cts.Token);

        Assert.Equal(new Verdict(4, "Clear and short."), response.Result);
        var request = Assert.Single(tenant.Requests);
        Assert.Equal(nameof(Verdict), request.SchemaName);
        Assert.Equal("json_schema", request.Body["response_format"]?["type"]?.GetValue<string>());
    }

    [Fact]
    public async Task GetResponseAsync_OpenAI429WithRetryAfter_ThrowsWithStatusAndRetryAfterHeader()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Status(429, retryAfter: TimeSpan.FromSeconds(1)));
        using var client = OpenAIChat(tenant);

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.Equal(429, ex.Status);
        var raw = ex.GetRawResponse();
        Assert.NotNull(raw);
        Assert.True(raw.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("1", retryAfter);
        Assert.Contains("rate_limit_exceeded", raw.Content.ToString(), StringComparison.Ordinal);
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_OpenAI500_ThrowsWithStatus500()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Status(500));
        using var client = OpenAIChat(tenant);

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.Equal(500, ex.Status);
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_OpenAIMalformedBody_Throws()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Malformed());
        using var client = OpenAIChat(tenant);

        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));
    }

    [Fact]
    public async Task GetResponseAsync_OpenAIDelayLongerThanCancellation_IsCancelled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Delay(TimeSpan.FromSeconds(10), SimStep.Reply("too late")));
        using var client = OpenAIChat(tenant);
        using var shortCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        shortCts.CancelAfter(TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: shortCts.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Cancellation took {stopwatch.Elapsed}.");
        Assert.False(cts.IsCancellationRequested);
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_OpenAIAbortedConnection_ThrowsTransportError()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Abort());
        using var client = OpenAIChat(tenant);

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.True(IsTransportError(ex), $"Expected a transport error, got {ex}");
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_OpenAIStallAfterChunks_PausesMidStream()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant()
            .Enqueue(SimStep.StallAfterChunks(2, TimeSpan.FromSeconds(1), SimStep.Reply("alpha beta gamma delta")));
        using var client = OpenAIChat(tenant);
        var arrivals = new List<(TimeSpan At, string Text)>();
        var stopwatch = Stopwatch.StartNew();

        await foreach (var update in client.GetStreamingResponseAsync("go", cancellationToken: cts.Token))
        {
            if (update.Text.Length > 0)
            {
                arrivals.Add((stopwatch.Elapsed, update.Text));
            }
        }

        Assert.Equal("alpha beta gamma delta", string.Concat(arrivals.Select(a => a.Text)));
        Assert.Equal(4, arrivals.Count);
        var gap = arrivals[2].At - arrivals[1].At;
        Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"The stall between chunks 2 and 3 was {gap}.");
    }

    [Fact]
    public async Task GetStreamingResponseAsync_OpenAIStallThenAbort_ThrowsAfterPartialText()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.StallAfterChunks(2, TimeSpan.FromMilliseconds(200), SimStep.Abort()));
        using var client = OpenAIChat(tenant);
        var received = new List<string>();

        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("go", cancellationToken: cts.Token))
            {
                received.Add(update.Text);
            }
        });

        Assert.True(IsTransportError(ex), $"Expected a transport error, got {ex}");
        Assert.Equal("chunk1 chunk2 ", string.Concat(received));
    }

    [Fact]
    public async Task GetResponseAsync_TwoTenantsInParallel_NeverSeeEachOthersScripts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        const int PerTenant = 6;
        var first = _sim.CreateTenant();
        var second = _sim.CreateTenant();
        first.Enqueue([.. Enumerable.Range(1, PerTenant).Select(i => SimStep.Reply($"first-{i}"))]);
        second.Enqueue([.. Enumerable.Range(1, PerTenant).Select(i => SimStep.Reply($"second-{i}"))]);
        using var firstClient = OpenAIChat(first);
        using var secondClient = OpenAIChat(second);

        var calls = Enumerable.Range(0, PerTenant).SelectMany(_ => new[]
        {
            Task.Run(async () => ("first", (await firstClient.GetResponseAsync("hi", cancellationToken: cts.Token)).Text), cts.Token),
            Task.Run(async () => ("second", (await secondClient.GetResponseAsync("hi", cancellationToken: cts.Token)).Text), cts.Token),
        });
        var results = await Task.WhenAll(calls);

        foreach (var name in new[] { "first", "second" })
        {
            var texts = results.Where(r => r.Item1 == name).Select(r => r.Item2).Order(StringComparer.Ordinal);
            Assert.Equal(Enumerable.Range(1, PerTenant).Select(i => $"{name}-{i}").Order(StringComparer.Ordinal), texts);
        }

        Assert.Equal(PerTenant, first.Requests.Count);
        Assert.Equal(PerTenant, second.Requests.Count);
        Assert.All(first.Requests, r => Assert.Equal(first.ApiKey, r.ApiKey));
        Assert.All(second.Requests, r => Assert.Equal(second.ApiKey, r.ApiKey));
    }

    [Fact]
    public async Task GetResponseAsync_RetriedAfterRetryAfter_RecordsAttemptsAtLeastThatFarApart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Status(429, retryAfter: TimeSpan.FromSeconds(1)), SimStep.Reply("second time lucky"));
        using var client = OpenAIChat(tenant);

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));
        var raw = ex.GetRawResponse();
        Assert.NotNull(raw);
        Assert.True(raw.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.NotNull(retryAfter);
        await Task.Delay(TimeSpan.FromSeconds(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture)), cts.Token);
        var response = await client.GetResponseAsync("hi", cancellationToken: cts.Token);

        Assert.Equal("second time lucky", response.Text);
        var requests = tenant.Requests;
        Assert.Equal(2, requests.Count);
        var gap = requests[1].ArrivedAt - requests[0].ArrivedAt;
        Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"The attempts were {gap} apart.");
    }

    [Fact]
    public async Task GetResponseAsync_OpenAIUnknownApiKey_Throws401()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = OpenAIChat(new ApiKeyCredential($"unknown-{Guid.NewGuid()}"));

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.Equal(401, ex.Status);
        Assert.Contains("invalid_api_key", ex.GetRawResponse()?.Content.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_AzureOpenAIReply_ReturnsTextAndUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Reply("Hello from Azure", inputTokens: 9, outputTokens: 3));
        var options = new AzureOpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(0) };
        using var client = new AzureOpenAIClient(_sim.BaseUrl, new ApiKeyCredential(tenant.ApiKey), options)
            .GetChatClient("my-deployment").AsIChatClient();

        var response = await client.GetResponseAsync(Conversation("Hello?"), cancellationToken: cts.Token);

        Assert.Equal("Hello from Azure", response.Text);
        Assert.Equal(9, response.Usage?.InputTokenCount);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        var request = Assert.Single(tenant.Requests);
        Assert.Equal(SimProvider.AzureOpenAI, request.Provider);
        Assert.Equal("/openai/deployments/my-deployment/chat/completions", request.Path);
        Assert.Equal("my-deployment", request.Model);
        Assert.Equal("Hello?", request.LastUserText);
    }

    [Fact]
    public async Task GetResponseAsync_AnthropicReply_ReturnsTextAndUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Reply("Hello from Claude", inputTokens: 17, outputTokens: 6));
        using var client = AnthropicChat(tenant);

        var response = await client.GetResponseAsync(Conversation("Greet me"), cancellationToken: cts.Token);

        Assert.Equal("Hello from Claude", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(17, response.Usage?.InputTokenCount);
        Assert.Equal(6, response.Usage?.OutputTokenCount);
        var request = Assert.Single(tenant.Requests);
        Assert.Equal(SimProvider.Anthropic, request.Provider);
        Assert.Equal("/v1/messages", request.Path);
        Assert.Equal(AnthropicModel, request.Model);
        Assert.False(request.Stream);
        Assert.Equal([new SimMessage("system", "You are terse."), new SimMessage("user", "Greet me")], request.Messages);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AnthropicReply_ReassemblesTextAndUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Reply("streamed words from Claude", inputTokens: 15, outputTokens: 8));
        using var client = AnthropicChat(tenant);

        var updates = await StreamAsync(client, Conversation("Stream please"), cts.Token);
        var response = updates.ToChatResponse();

        Assert.Equal("streamed words from Claude", response.Text);
        Assert.Equal(15, response.Usage?.InputTokenCount);
        Assert.Equal(8, response.Usage?.OutputTokenCount);
        var request = Assert.Single(tenant.Requests);
        Assert.True(request.Stream);
        Assert.Equal("Stream please", request.LastUserText);
    }

    [Fact]
    public async Task GetResponseAsyncOfT_AnthropicStructuredOutput_ParsesTypedResult()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.ReplyJson(new Verdict(2, "Too long.")));
        using var client = AnthropicChat(tenant);

        var response = await client.GetResponseAsync<Verdict>("Judge this", cancellationToken: cts.Token);

        Assert.Equal(new Verdict(2, "Too long."), response.Result);
        var request = Assert.Single(tenant.Requests);
        Assert.Equal("json_schema", request.Body["output_config"]?["format"]?["type"]?.GetValue<string>());
        // The Anthropic SDK sends the schema without a name, so scripts cannot route on SchemaName here.
        Assert.Null(request.SchemaName);
    }

    [Fact]
    public async Task GetResponseAsync_Anthropic429_ThrowsRateLimitExceptionWithErrorBody()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Status(429, retryAfter: TimeSpan.FromSeconds(1)));
        using var client = AnthropicChat(tenant);

        var ex = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.Contains("rate_limit_error", ex.ResponseBody, StringComparison.Ordinal);
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_Ollama500_ThrowsHttpRequestExceptionWith500()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Status(500));
        using var ollama = new OllamaApiClient(new Uri(_sim.BaseUrl, ""), $"{tenant.ApiKey}/llama3");
        IChatClient client = ollama;

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Single(tenant.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_OllamaReply_ReturnsTextAndUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Reply("Hello from Ollama", inputTokens: 13, outputTokens: 4));
        using var ollama = new OllamaApiClient(new Uri(_sim.BaseUrl, ""), $"{tenant.ApiKey}/llama3");
        IChatClient client = ollama;

        var response = await client.GetResponseAsync(Conversation("Hi llama"), cancellationToken: cts.Token);

        Assert.Equal("Hello from Ollama", response.Text);
        Assert.Equal(13, response.Usage?.InputTokenCount);
        Assert.Equal(4, response.Usage?.OutputTokenCount);
        var request = Assert.Single(tenant.Requests);
        Assert.Equal(SimProvider.Ollama, request.Provider);
        Assert.Equal("/api/chat", request.Path);
        Assert.Equal($"{tenant.ApiKey}/llama3", request.Model);
        Assert.Equal(tenant.ApiKey, request.ApiKey);
        Assert.False(request.Stream);
        Assert.Equal([new SimMessage("system", "You are terse."), new SimMessage("user", "Hi llama")], request.Messages);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_OllamaReply_ReassemblesTextAndUsage()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tenant = _sim.CreateTenant().Enqueue(SimStep.Reply("tokens from a local llama", inputTokens: 11, outputTokens: 5));
        using var ollama = new OllamaApiClient(new Uri(_sim.BaseUrl, ""), $"{tenant.ApiKey}/llama3");
        IChatClient client = ollama;

        var updates = await StreamAsync(client, Conversation("Stream"), cts.Token);
        var response = updates.ToChatResponse();

        Assert.Equal("tokens from a local llama", response.Text);
        Assert.Equal(11, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        var request = Assert.Single(tenant.Requests);
        Assert.True(request.Stream);
    }

    private IChatClient OpenAIChat(SimTenant tenant) => OpenAIChat(new ApiKeyCredential(tenant.ApiKey));

    private IChatClient OpenAIChat(ApiKeyCredential credential) =>
        new OpenAIClient(credential, new OpenAIClientOptions { Endpoint = _sim.OpenAIBaseUrl, RetryPolicy = new ClientRetryPolicy(0) })
            .GetChatClient(OpenAIModel)
            .AsIChatClient();

    private IChatClient AnthropicChat(SimTenant tenant) =>
        new AnthropicClient(new ClientOptions { BaseUrl = _sim.BaseUrl.ToString().TrimEnd('/'), ApiKey = tenant.ApiKey, MaxRetries = 0 })
            .AsIChatClient(AnthropicModel, 256);

    private static List<ChatMessage> Conversation(string user) =>
        [new(ChatRole.System, "You are terse."), new(ChatRole.User, user)];

    private static async Task<List<ChatResponseUpdate>> StreamAsync(IChatClient client, List<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, cancellationToken: cancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    private static bool IsTransportError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpRequestException or IOException)
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Verdict(int Score, string Rationale);
}
