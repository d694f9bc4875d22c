namespace Edison.Core.Experiments;

/// <summary>How suggestions become prompt versions.</summary>
public static class ReviewModes
{
    /// <summary>A person reviews every suggestion.</summary>
    public const string EveryIteration = "every_iteration";

    /// <summary>A person reviews only after an iteration whose change against its parent was significant (up or down).</summary>
    public const string OnlySignificant = "only_significant";

    /// <summary>Applied without a person while the guardrails hold; otherwise it waits for review.</summary>
    public const string Autopilot = "autopilot";

    /// <summary>Every mode.</summary>
    public static readonly IReadOnlyList<string> All = [EveryIteration, OnlySignificant, Autopilot];
}
