using System.Text.Json;

namespace Edison.Core.Datasets;

/// <summary>One test case as a person wrote it: the template's variables, and optionally what a good answer says.</summary>
public sealed record CaseInput(IReadOnlyDictionary<string, JsonElement> Variables, string? ExpectedOutput, IReadOnlyList<string> Tags,
    string? Difficulty);
