using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edison.Testing.Simulator;

/// <summary>Ollama's native <c>/api/chat</c>.</summary>
internal sealed class OllamaWireFormat : WireFormat
{
    public override string Provider => SimProvider.Ollama;

    public override string StreamContentType => "application/x-ndjson";

    public override IEnumerable<string> TenantKeys(HttpRequest request, string model)
    {
        // Ollama sends no key, so the tenant travels in the model name: "<apiKey>/<model>" or just "<apiKey>".
        if (BearerToken(request) is { } token)
        {
            yield return token;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            yield return model[..slash];
        }

        yield return model;
    }

    public override string ReadModel(HttpRequest request, JsonObject body) => String(body["model"]) ?? string.Empty;

    // Ollama streams unless told not to.
    public override bool ReadStream(JsonObject body) =>
        body["stream"] is not JsonValue value || !value.TryGetValue<bool>(out var stream) || stream;

    // Ollama's "format" is a bare JSON schema (or "json"): it carries no name.
    public override string? ReadSchemaName(JsonObject body) => null;

    public override IReadOnlyList<SimMessage> ReadMessages(JsonObject body) => RoleMessages(body["messages"]);

    public override string ErrorBody(int status, string message) => Json(new JsonObject { ["error"] = message });

    public override string ReplyBody(ReplyContext context, SimStep.ReplyStep reply) =>
        Json(Final(context, reply, reply.Text));

    public override IEnumerable<string> StreamStart(ReplyContext context, SimStep.ReplyStep reply) => [];

    public override string StreamChunk(ReplyContext context, string text) => Line(new JsonObject
    {
        ["model"] = context.Request.Model,
        ["created_at"] = Timestamp(context),
        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
        ["done"] = false,
    });

    public override IEnumerable<string> StreamEnd(ReplyContext context, SimStep.ReplyStep reply)
    {
        yield return Line(Final(context, reply, string.Empty));
    }

    public override string StreamError(ReplyContext context, int status, string? body) =>
        (body ?? ErrorBody(status, ReasonPhrase(status))) + "\n";

    public override string MalformedBody(bool stream) => stream
        ? "{\"model\":\"malformed\",\"message\":{\"role\":\n"
        : "{\"model\":\"malformed\",\"message\":{\"role\":";

    private static string Line(JsonObject line) => Json(line) + "\n";

    private static string Timestamp(ReplyContext context) =>
        context.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    private static JsonObject Final(ReplyContext context, SimStep.ReplyStep reply, string content) => new()
    {
        ["model"] = context.Request.Model,
        ["created_at"] = Timestamp(context),
        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
        ["done"] = true,
        ["done_reason"] = reply.FinishReason,
        ["total_duration"] = 1_000_000,
        ["load_duration"] = 100_000,
        ["prompt_eval_count"] = reply.InputTokens,
        ["prompt_eval_duration"] = 200_000,
        ["eval_count"] = reply.OutputTokens,
        ["eval_duration"] = 700_000,
    };
}
