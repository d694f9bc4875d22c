using System.Text.Json;

namespace Edison.Core.Api;

/// <summary>One judgment of an iteration's output: scores by criterion, the composite, the judge's reasoning and flags.</summary>
public sealed record JudgmentRow(Guid Id, Guid OutputId, Guid JudgeConfigId, string Mode, string Status, double? Composite,
    JsonElement Scores, string Reasoning, JsonElement Rationales, IReadOnlyList<string> SafetyFlags, string? Winner, string? Error, DateTime CreatedAt);
