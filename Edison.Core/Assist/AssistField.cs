namespace Edison.Core.Assist;

/// <summary>The authoring fields AI assist serves.</summary>
public enum AssistField
{
    /// <summary>What the prompt must achieve.</summary>
    Goal,

    /// <summary>Criteria, weights and scale labels.</summary>
    Rubric,

    /// <summary>The first prompt template.</summary>
    SeedPrompt,

    /// <summary>The prompt's system text.</summary>
    SystemText,

    /// <summary>Few-shot examples inside the prompt.</summary>
    FewShot,

    /// <summary>A judge's own system prompt.</summary>
    JudgePrompt,

    /// <summary>Test cases (JSON lines).</summary>
    TestCases,
}
