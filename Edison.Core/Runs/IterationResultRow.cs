namespace Edison.Core.Runs;

/// <summary>One case × sample × model of an iteration with its judgment.</summary>
public sealed record IterationResultRow(int Position, string Model, int Sample, string Input, string? ExpectedOutput, string? OutputStatus,
    string? Output, string? OutputError, string? JudgmentStatus, double? Score, string? Reasoning, string? Rationales, string? JudgmentError);
