using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Edison.Testing.Simulator;

/// <summary>
/// Amazon Bedrock's Converse API (<c>/model/{modelId}/converse</c>, non-streaming only). The tenant is the access key id in
/// the SigV4 Authorization header; a request without a well-formed SigV4 header is refused with 403, as AWS does. The
/// signature itself is not checked (the simulator does not know the secret), only its shape and that the scope's date matches x-amz-date.
/// </summary>
internal sealed partial class BedrockWireFormat : WireFormat
{
    public override string Provider => SimProvider.Bedrock;

    public override string StreamContentType => "application/vnd.amazon.eventstream";

    public override string? AuthenticationProblem(HttpRequest request)
    {
        var match = SigV4Header().Match(request.Headers.Authorization.ToString());
        if (!match.Success)
        {
            return "Missing Authentication Token: the request is not signed with AWS Signature Version 4.";
        }

        var date = HeaderValue(request, "x-amz-date");
        return date is { Length: 16 } && date.StartsWith(match.Groups["date"].Value, StringComparison.Ordinal)
            ? null
            : "The x-amz-date header is missing or does not match the date of the credential scope.";
    }

    public override IEnumerable<string> TenantKeys(HttpRequest request, string model)
    {
        var match = SigV4Header().Match(request.Headers.Authorization.ToString());
        if (match.Success)
        {
            yield return match.Groups["key"].Value;
        }
    }

    public override string ReadModel(HttpRequest request, JsonObject body) => request.RouteValues["modelId"] as string ?? string.Empty;

    public override bool ReadStream(JsonObject body) => false;

    // Converse has no response-format field: the adapter forces a tool named after the schema.
    public override string? ReadSchemaName(JsonObject body) => String(body["toolConfig"]?["toolChoice"]?["tool"]?["name"]);

    public override IReadOnlyList<SimMessage> ReadMessages(JsonObject body)
    {
        var list = new List<SimMessage>();
        if (body["system"] is JsonArray system)
        {
            list.Add(new SimMessage("system", Blocks(system)));
        }

        if (body["messages"] is JsonArray messages)
        {
            list.AddRange(messages.OfType<JsonObject>().Select(m => new SimMessage(String(m["role"]) ?? string.Empty, Blocks(m["content"]))));
        }

        return list;
    }

    public override string ErrorBody(int status, string message) => Json(new JsonObject { ["message"] = message });

    public override string ReplyBody(ReplyContext context, SimStep.ReplyStep reply)
    {
        // A request that forces a tool is answered as that tool's call, its input the reply's JSON (as Bedrock does).
        var tool = String(context.Request.Body["toolConfig"]?["toolChoice"]?["tool"]?["name"]);
        var input = tool is null ? null : ParseJson(reply.Text);
        var block = input is null
            ? new JsonObject { ["text"] = reply.Text }
            : new JsonObject { ["toolUse"] = new JsonObject { ["toolUseId"] = "tooluse_" + context.Id, ["name"] = tool, ["input"] = input } };
        return ReplyBody(block, input is null ? reply.FinishReason : "tool_use", reply);
    }

    private static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string ReplyBody(JsonObject block, string finishReason, SimStep.ReplyStep reply) => Json(new JsonObject
    {
        ["output"] = new JsonObject
        {
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(block) },
        },
        ["stopReason"] = finishReason switch
        {
            "stop" => "end_turn",
            "length" => "max_tokens",
            "content_filter" => "content_filtered",
            var other => other,
        },
        ["usage"] = new JsonObject
        {
            ["inputTokens"] = reply.InputTokens,
            ["outputTokens"] = reply.OutputTokens,
            ["totalTokens"] = reply.InputTokens + reply.OutputTokens,
        },
        ["metrics"] = new JsonObject { ["latencyMs"] = 1 },
    });

    public override IEnumerable<string> StreamStart(ReplyContext context, SimStep.ReplyStep reply) => throw StreamingUnsupported();

    public override string StreamChunk(ReplyContext context, string text) => throw StreamingUnsupported();

    public override IEnumerable<string> StreamEnd(ReplyContext context, SimStep.ReplyStep reply) => throw StreamingUnsupported();

    public override string StreamError(ReplyContext context, int status, string? body) => throw StreamingUnsupported();

    public override string MalformedBody(bool stream) => "{\"output\":{\"message\":{\"role\":";

    private static string Blocks(JsonNode? blocks)
    {
        var text = new StringBuilder();
        if (blocks is JsonArray array)
        {
            foreach (var block in array.OfType<JsonObject>())
            {
                text.Append(String(block["text"]));
            }
        }

        return text.ToString();
    }

    private static NotSupportedException StreamingUnsupported() =>
        new("The simulator speaks only Converse, not ConverseStream's binary event stream.");

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[A-Za-z0-9_-]+)/(?<date>\d{8})/[a-z0-9-]+/[a-z0-9-]+/aws4_request, ?SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, ?Signature=[0-9a-f]{64}$")]
    private static partial Regex SigV4Header();
}
