namespace Edison.Core.ReadModels;

/// <summary>One judge's verdict on an output, with its reasoning.</summary>
public sealed record JudgmentDetail(string Judge, string Mode, string Status, double? Composite, IReadOnlyDictionary<string, double> Scores,
    IReadOnlyDictionary<string, string> Rationales, string Reasoning, IReadOnlyList<string> SafetyFlags, IReadOnlyList<string> Suggestions,
    string? Winner, string? Error);
