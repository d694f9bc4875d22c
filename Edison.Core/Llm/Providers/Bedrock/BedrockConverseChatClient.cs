using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Edison.Core.Llm.Providers.Bedrock;

/// <summary>
/// Amazon Bedrock's Converse API (<c>POST {endpoint}/model/{modelId}/converse</c>), signed with SigV4, for any Bedrock model.
/// Streaming is not implemented: ConverseStream answers in AWS's binary event-stream framing, so
/// <see cref="GetStreamingResponseAsync"/> makes the non-streaming call and yields its response as one update.
/// A JSON response format becomes a system instruction carrying the schema, as Converse has no response-format field;
/// <see cref="StructuredOutput"/> validates (and repairs) the answer as for any provider.
/// </summary>
internal sealed class BedrockConverseChatClient(HttpClient http, Uri endpoint, string modelId, AwsKeys keys, string region,
    IReadOnlyDictionary<string, string> extraHeaders, TimeProvider time) : IChatClient
{
    public const string Service = "bedrock";

    private static readonly ChatClientMetadata Metadata = new("aws.bedrock");

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = options?.ModelId ?? modelId;
        var payload = Encoding.UTF8.GetBytes(RequestBody(messages, options).ToJsonString());
        var uri = new Uri($"{endpoint.ToString().TrimEnd('/')}/model/{Uri.EscapeDataString(model)}/converse");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in extraHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        SigV4Signer.Sign(request, payload, keys, region, Service, time.GetUtcNow());
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, body);
        }

        return Parse(body, model);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        // The HttpClient shares the adapter's handler and owns nothing of its own.
    }

    internal static JsonObject RequestBody(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var system = new JsonArray();
        var turns = new JsonArray();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                system.Add(new JsonObject { ["text"] = message.Text });
                continue;
            }

            var role = message.Role == ChatRole.Assistant ? "assistant" : "user";
            var block = new JsonObject { ["text"] = message.Text };
            // Converse requires alternating roles: consecutive messages of one role become one turn.
            if (turns.Count > 0 && turns[^1] is JsonObject last && last["role"]?.GetValue<string>() == role)
            {
                last["content"]!.AsArray().Add(block);
            }
            else
            {
                turns.Add(new JsonObject { ["role"] = role, ["content"] = new JsonArray(block) });
            }
        }

        JsonObject? forcedTool = null;
        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } schemaFormat)
        {
            // Converse has no response-format field: the schema becomes the one tool the model must call, whose input is the answer.
            var name = ToolName(schemaFormat.SchemaName);
            forcedTool = new JsonObject
            {
                ["tools"] = new JsonArray(new JsonObject
                {
                    ["toolSpec"] = new JsonObject
                    {
                        ["name"] = name,
                        ["description"] = schemaFormat.SchemaDescription ?? "Give the answer as this tool's input.",
                        ["inputSchema"] = new JsonObject { ["json"] = JsonNode.Parse(schema.GetRawText()) },
                    },
                }),
                ["toolChoice"] = new JsonObject { ["tool"] = new JsonObject { ["name"] = name } },
            };
        }
        else if (options?.ResponseFormat is ChatResponseFormatJson)
        {
            system.Add(new JsonObject { ["text"] = "Reply with only a JSON object, with no other text." });
        }

        var body = new JsonObject { ["messages"] = turns };
        if (forcedTool is not null)
        {
            body["toolConfig"] = forcedTool;
        }

        if (system.Count > 0)
        {
            body["system"] = system;
        }

        var inference = new JsonObject();
        if (options?.MaxOutputTokens is { } maxTokens)
        {
            inference["maxTokens"] = maxTokens;
        }

        if (options?.Temperature is { } temperature)
        {
            inference["temperature"] = temperature;
        }

        if (options?.TopP is { } topP)
        {
            inference["topP"] = topP;
        }

        if (options?.StopSequences is { Count: > 0 } stops)
        {
            inference["stopSequences"] = new JsonArray([.. stops.Select(s => (JsonNode)s)]);
        }

        if (inference.Count > 0)
        {
            body["inferenceConfig"] = inference;
        }

        return body;
    }

    /// A tool name Converse accepts (<c>[a-zA-Z0-9_-]{1,64}</c>), from the schema's name.
    internal static string ToolName(string? schemaName)
    {
        var name = new string((schemaName ?? "answer").Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());
        return name.Length == 0 ? "answer" : name.Length > 64 ? name[..64] : name;
    }

    internal static ChatFinishReason? FinishReason(string? stopReason) => stopReason switch
    {
        null => null,
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" => ChatFinishReason.Length,
        "content_filtered" or "guardrail_intervened" => ChatFinishReason.ContentFilter,
        "tool_use" => ChatFinishReason.ToolCalls,
        _ => new ChatFinishReason(stopReason),
    };

    private static ChatResponse Parse(string body, string model)
    {
        // A body that is not Converse's shape fails as JsonException: the gateway classes it as a malformed response.
        var root = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("The Converse response is not a JSON object.");
        var content = root["output"]?["message"]?["content"] as JsonArray
            ?? throw new JsonException("The Converse response has no output.message.content.");
        // A forced tool's input is the structured answer; otherwise the text blocks are.
        var toolInput = content.OfType<JsonObject>().Select(block => block["toolUse"]?["input"]).FirstOrDefault(input => input is not null);
        var text = toolInput is not null
            ? toolInput.ToJsonString()
            : string.Concat(content.OfType<JsonObject>().Select(block => block["text"]?.GetValue<string>() ?? ""));
        var usage = root["usage"] as JsonObject;
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = model,
            FinishReason = FinishReason(root["stopReason"]?.GetValue<string>()),
            Usage = usage is null ? null : new UsageDetails
            {
                InputTokenCount = usage["inputTokens"]?.GetValue<long>(),
                OutputTokenCount = usage["outputTokens"]?.GetValue<long>(),
                TotalTokenCount = usage["totalTokens"]?.GetValue<long>(),
                CachedInputTokenCount = usage["cacheReadInputTokens"]?.GetValue<long>(),
            },
            RawRepresentation = root,
        };
    }

    /// The same exceptions the SDK-based adapters surface, so <see cref="ProviderErrors"/> classifies them alike.
    private static HttpRequestException Failure(HttpResponseMessage response, string body)
    {
        var status = response.StatusCode;
        if (status is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError
            && RetryAfterHeader.Parse(null, response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null) is { } after)
        {
            return new RetryAfterException(status, after);
        }

        var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.First().Split(':')[0] : null;
        string? message = null;
        try
        {
            message = (JsonNode.Parse(body) as JsonObject)?["message"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // An error page that is not JSON: the status says enough.
        }

        return new HttpRequestException($"Bedrock answered {(int)status}{(type is null ? "" : $" ({type})")}: {message ?? response.ReasonPhrase}",
            null, status);
    }
}
