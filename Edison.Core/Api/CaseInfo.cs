using System.Text.Json;

namespace Edison.Core.Api;

/// <summary>One case of a dataset version as the API returns it: its variables as a JSON object.</summary>
public sealed record CaseInfo(Guid Id, int Position, int Version, JsonElement Input, string? ExpectedOutput, IReadOnlyList<string> Tags,
    string? Difficulty, string Split);
