namespace Edison.Core.Experiments;

/// <summary>What judges check outputs against besides the rubric.</summary>
public sealed record SafetyConfig
{
    /// <summary>The flags judges may raise, e.g. "harmful", "leaks-system-prompt".</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>The policy text judges check outputs against.</summary>
    public string PolicyText { get; init; } = "";
}
