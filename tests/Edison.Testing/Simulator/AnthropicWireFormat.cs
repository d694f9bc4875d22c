using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edison.Testing.Simulator;

/// <summary>The Anthropic Messages API.</summary>
internal sealed class AnthropicWireFormat : WireFormat
{
    public override string Provider => SimProvider.Anthropic;

    public override string StreamContentType => "text/event-stream";

    public override IEnumerable<string> TenantKeys(HttpRequest request, string model)
    {
        if (HeaderValue(request, "x-api-key") is { } key)
        {
            yield return key;
        }

        if (BearerToken(request) is { } token)
        {
            yield return token;
        }
    }

    public override string ReadModel(HttpRequest request, JsonObject body) => String(body["model"]) ?? string.Empty;

    public override bool ReadStream(JsonObject body) => Bool(body["stream"]);

    public override string? ReadSchemaName(JsonObject body)
    {
        // GA structured output is output_config.format, the older beta's output_format; SDK 13.14 sends
        // {"type":"json_schema","schema":{...}} with no name, so this is null unless a caller adds one.
        var format = body["output_config"]?["format"] ?? body["output_format"];
        return format is JsonObject obj && String(obj["type"]) == "json_schema" ? String(obj["name"]) : null;
    }

    public override IReadOnlyList<SimMessage> ReadMessages(JsonObject body)
    {
        var messages = RoleMessages(body["messages"]);
        if (body["system"] is { } system)
        {
            messages.Insert(0, new SimMessage("system", ContentText(system)));
        }

        return messages;
    }

    public override string ErrorBody(int status, string message)
    {
        var type = status switch
        {
            400 => "invalid_request_error",
            401 => "authentication_error",
            402 => "billing_error",
            403 => "permission_error",
            404 => "not_found_error",
            413 => "request_too_large",
            429 => "rate_limit_error",
            504 => "timeout_error",
            529 => "overloaded_error",
            _ => "api_error",
        };
        return Json(new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        });
    }

    public override string ReplyBody(ReplyContext context, SimStep.ReplyStep reply) => Json(new JsonObject
    {
        ["id"] = context.Id,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = context.Request.Model,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = reply.Text }),
        ["stop_reason"] = StopReason(reply.FinishReason),
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = reply.InputTokens,
            ["cache_creation_input_tokens"] = 0,
            ["cache_read_input_tokens"] = 0,
            ["output_tokens"] = reply.OutputTokens,
        },
    });

    public override IEnumerable<string> StreamStart(ReplyContext context, SimStep.ReplyStep reply)
    {
        yield return Event("message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = context.Id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = context.Request.Model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject
                {
                    ["input_tokens"] = reply.InputTokens,
                    ["cache_creation_input_tokens"] = 0,
                    ["cache_read_input_tokens"] = 0,
                    ["output_tokens"] = 1,
                },
            },
        });
        yield return Event("content_block_start", new JsonObject
        {
            ["type"] = "content_block_start",
            ["index"] = 0,
            ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = string.Empty },
        });
        yield return Event("ping", new JsonObject { ["type"] = "ping" });
    }

    public override string StreamChunk(ReplyContext context, string text) => Event("content_block_delta", new JsonObject
    {
        ["type"] = "content_block_delta",
        ["index"] = 0,
        ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = text },
    });

    public override IEnumerable<string> StreamEnd(ReplyContext context, SimStep.ReplyStep reply)
    {
        yield return Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        yield return Event("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = StopReason(reply.FinishReason), ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = reply.OutputTokens },
        });
        yield return Event("message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    public override string StreamError(ReplyContext context, int status, string? body) =>
        $"event: error\ndata: {body ?? ErrorBody(status, ReasonPhrase(status))}\n\n";

    public override string MalformedBody(bool stream) => stream
        ? "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\n\n"
        : "{\"id\":\"msg_malformed\",\"type\":\"message\",\"content\":[{\"type\":";

    private static string Event(string name, JsonObject data) => $"event: {name}\ndata: {Json(data)}\n\n";

    private static string StopReason(string finishReason) => finishReason switch
    {
        "stop" => "end_turn",
        "length" => "max_tokens",
        "tool_calls" => "tool_use",
        "content_filter" => "refusal",
        _ => finishReason,
    };
}
