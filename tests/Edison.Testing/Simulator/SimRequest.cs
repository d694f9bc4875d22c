using System.Text.Json.Nodes;

namespace Edison.Testing.Simulator;

/// <summary>A request as the simulator received it.</summary>
/// <param name="Provider">One of the <see cref="SimProvider"/> values.</param>
/// <param name="Path">The request path, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Model">The requested model (for Azure without one in the body: the deployment).</param>
/// <param name="ApiKey">The key that identified the tenant; for Ollama it comes from the model name.</param>
/// <param name="Body">The parsed request body.</param>
/// <param name="ArrivedAt">When the request reached the simulator.</param>
/// <param name="Stream">Whether the client asked for a streamed response.</param>
/// <param name="SchemaName">The requested structured-output schema name, when the wire format carries one.</param>
/// <param name="Messages">The conversation, including system prompts as <c>system</c> messages.</param>
public sealed record SimRequest(
    string Provider,
    string Path,
    string Model,
    string ApiKey,
    JsonNode Body,
    DateTimeOffset ArrivedAt,
    bool Stream,
    string? SchemaName,
    IReadOnlyList<SimMessage> Messages)
{
    /// <summary>The request's headers (first value of each, names case-insensitive), for assertions on what a client sent.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The text of the last <c>user</c> message, or an empty string when there is none.</summary>
    public string LastUserText => Messages.LastOrDefault(m => m.Role == "user")?.Text ?? string.Empty;
}
