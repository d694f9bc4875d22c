namespace Edison.Core.Assist;

/// <summary>The seed-prompt generator's answer.</summary>
public sealed record SeedPromptAnswer(string SystemText, string Template, IReadOnlyList<string> Variables, IReadOnlyList<TechniqueUse> Techniques);
