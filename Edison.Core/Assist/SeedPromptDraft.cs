namespace Edison.Core.Assist;

/// <summary>A drafted seed prompt, the meta-prompt version that wrote it, and the technique-to-criterion explanation.</summary>
public sealed record SeedPromptDraft(string SystemText, string Template, IReadOnlyList<string> Variables, IReadOnlyList<TechniqueUse> Techniques,
    string MetaPromptVersion);
