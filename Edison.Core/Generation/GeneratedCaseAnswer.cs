namespace Edison.Core.Generation;

/// <summary>One generated case as the model writes it.</summary>
public sealed record GeneratedCaseAnswer(IReadOnlyDictionary<string, string> Variables, string? ExpectedOutput, IReadOnlyList<string>? Tags,
    string? Difficulty, string? Persona, string? Scenario);
