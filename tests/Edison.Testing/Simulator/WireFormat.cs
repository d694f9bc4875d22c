using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Edison.Testing.Simulator;

/// <summary>One provider's request parsing and response shapes.</summary>
internal abstract class WireFormat
{
    private static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private const int MaxChunkLength = 16;

    public abstract string Provider { get; }

    public abstract string StreamContentType { get; }

    /// <summary>True when tenants are found by an access token from the simulator's token endpoint, never by an API key.</summary>
    public virtual bool UsesIssuedTokens => false;

    /// <summary>Why the request's authentication is malformed (answered with 403), or null to go on to the tenant lookup.</summary>
    public virtual string? AuthenticationProblem(HttpRequest request) => null;

    /// <summary>Keys that may name the tenant, most specific first.</summary>
    public abstract IEnumerable<string> TenantKeys(HttpRequest request, string model);

    public abstract string ReadModel(HttpRequest request, JsonObject body);

    public abstract bool ReadStream(JsonObject body);

    public abstract string? ReadSchemaName(JsonObject body);

    public abstract IReadOnlyList<SimMessage> ReadMessages(JsonObject body);

    public abstract string ErrorBody(int status, string message);

    public abstract string ReplyBody(ReplyContext context, SimStep.ReplyStep reply);

    public abstract IEnumerable<string> StreamStart(ReplyContext context, SimStep.ReplyStep reply);

    public abstract string StreamChunk(ReplyContext context, string text);

    public abstract IEnumerable<string> StreamEnd(ReplyContext context, SimStep.ReplyStep reply);

    public abstract string StreamError(ReplyContext context, int status, string? body);

    public abstract string MalformedBody(bool stream);

    /// <summary>Splits reply text into stream chunks whose concatenation is the text.</summary>
    public static IReadOnlyList<string> Chunk(string text)
    {
        var chunks = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            current.Append(text[i]);
            var atWordEnd = char.IsWhiteSpace(text[i]) && (i + 1 == text.Length || !char.IsWhiteSpace(text[i + 1]));
            if (atWordEnd || current.Length == MaxChunkLength)
            {
                chunks.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            chunks.Add(current.ToString());
        }

        return chunks;
    }

    protected static string Json(JsonNode node) => node.ToJsonString(Compact);

    internal static string ReasonPhrase(int status)
    {
        var phrase = ReasonPhrases.GetReasonPhrase(status);
        return phrase.Length == 0 ? $"Status {status}" : phrase;
    }

    protected static string? BearerToken(HttpRequest request)
    {
        var value = request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        return value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? value[Prefix.Length..].Trim() : null;
    }

    protected static string? HeaderValue(HttpRequest request, string name)
    {
        var value = request.Headers[name].ToString();
        return value.Length == 0 ? null : value;
    }

    protected static string? String(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    protected static bool Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    /// <summary>Text of a content value given as a string or as an array of typed parts.</summary>
    protected static string ContentText(JsonNode? content)
    {
        switch (content)
        {
            case JsonValue:
                return String(content) ?? string.Empty;
            case JsonArray parts:
                var text = new StringBuilder();
                foreach (var part in parts)
                {
                    if (part is JsonObject obj && String(obj["type"]) is "text" or "input_text")
                    {
                        text.Append(String(obj["text"]));
                    }
                    else if (part is JsonObject result && String(result["type"]) == "tool_result")
                    {
                        text.Append(ContentText(result["content"]));
                    }
                }

                return text.ToString();
            default:
                return string.Empty;
        }
    }

    protected static List<SimMessage> RoleMessages(JsonNode? messages)
    {
        var list = new List<SimMessage>();
        if (messages is JsonArray array)
        {
            foreach (var message in array.OfType<JsonObject>())
            {
                list.Add(new SimMessage(String(message["role"]) ?? string.Empty, ContentText(message["content"])));
            }
        }

        return list;
    }
}
