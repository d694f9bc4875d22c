using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edison.Testing.Simulator;

/// <summary>
/// OpenAI Chat Completions, also spoken by Azure OpenAI, OpenAI-compatible servers and Vertex AI's OpenAI endpoint (which
/// takes only bearer tokens issued by the simulator's <c>/token</c>).
/// </summary>
internal sealed class OpenAIWireFormat(string provider) : WireFormat
{
    private readonly bool _azure = provider == SimProvider.AzureOpenAI;

    public override string Provider => provider;

    public override bool UsesIssuedTokens => provider == SimProvider.Vertex;

    public override string StreamContentType => "text/event-stream";

    public override IEnumerable<string> TenantKeys(HttpRequest request, string model)
    {
        if (_azure && HeaderValue(request, "api-key") is { } key)
        {
            yield return key;
        }

        if (BearerToken(request) is { } token)
        {
            yield return token;
        }
    }

    public override string ReadModel(HttpRequest request, JsonObject body) =>
        String(body["model"]) ?? request.RouteValues["deployment"] as string ?? string.Empty;

    public override bool ReadStream(JsonObject body) => Bool(body["stream"]);

    public override string? ReadSchemaName(JsonObject body) =>
        body["response_format"] is JsonObject format && String(format["type"]) == "json_schema"
            ? String(format["json_schema"]?["name"])
            : null;

    public override IReadOnlyList<SimMessage> ReadMessages(JsonObject body) => RoleMessages(body["messages"]);

    public override string ErrorBody(int status, string message)
    {
        if (_azure)
        {
            return Json(new JsonObject
            {
                ["error"] = new JsonObject { ["code"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture), ["message"] = message },
            });
        }

        var (type, code) = status switch
        {
            400 => ("invalid_request_error", (string?)null),
            401 => ("invalid_request_error", "invalid_api_key"),
            403 => ("invalid_request_error", "unsupported_country_region_territory"),
            404 => ("invalid_request_error", "model_not_found"),
            429 => ("requests", "rate_limit_exceeded"),
            _ => ("server_error", null),
        };
        return Json(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
        });
    }

    public override string ReplyBody(ReplyContext context, SimStep.ReplyStep reply) => Json(new JsonObject
    {
        ["id"] = context.Id,
        ["object"] = "chat.completion",
        ["created"] = context.Created.ToUnixTimeSeconds(),
        ["model"] = context.Request.Model,
        ["system_fingerprint"] = "fp_sim",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = reply.Text,
                ["refusal"] = null,
            },
            ["logprobs"] = null,
            ["finish_reason"] = reply.FinishReason,
        }),
        ["usage"] = Usage(reply),
    });

    public override IEnumerable<string> StreamStart(ReplyContext context, SimStep.ReplyStep reply)
    {
        yield return Event(Chunk(context, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty, ["refusal"] = null }, null));
    }

    public override string StreamChunk(ReplyContext context, string text) =>
        Event(Chunk(context, new JsonObject { ["content"] = text }, null));

    public override IEnumerable<string> StreamEnd(ReplyContext context, SimStep.ReplyStep reply)
    {
        yield return Event(Chunk(context, new JsonObject(), reply.FinishReason));
        if (Bool(context.Request.Body["stream_options"]?["include_usage"]))
        {
            var usage = Chunk(context, null, null);
            usage["usage"] = Usage(reply);
            yield return Event(usage);
        }

        yield return "data: [DONE]\n\n";
    }

    public override string StreamError(ReplyContext context, int status, string? body) =>
        $"data: {body ?? ErrorBody(status, ReasonPhrase(status))}\n\n";

    public override string MalformedBody(bool stream) => stream
        ? "data: {\"id\":\"chatcmpl-malformed\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":\n\n"
        : "{\"id\":\"chatcmpl-malformed\",\"object\":\"chat.completion\",\"choices\":[{\"message\":";

    private static string Event(JsonObject chunk) => $"data: {Json(chunk)}\n\n";

    private static JsonObject Chunk(ReplyContext context, JsonObject? delta, string? finishReason)
    {
        var choices = new JsonArray();
        if (delta is not null)
        {
            choices.Add(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = delta,
                ["logprobs"] = null,
                ["finish_reason"] = finishReason,
            });
        }

        return new JsonObject
        {
            ["id"] = context.Id,
            ["object"] = "chat.completion.chunk",
            ["created"] = context.Created.ToUnixTimeSeconds(),
            ["model"] = context.Request.Model,
            ["system_fingerprint"] = "fp_sim",
            ["choices"] = choices,
        };
    }

    private static JsonObject Usage(SimStep.ReplyStep reply) => new()
    {
        ["prompt_tokens"] = reply.InputTokens,
        ["completion_tokens"] = reply.OutputTokens,
        ["total_tokens"] = reply.InputTokens + reply.OutputTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
        ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
    };
}
