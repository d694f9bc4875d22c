namespace Edison.Core.ReadModels;

/// <summary>One answer with its case and every judgment.</summary>
public sealed record OutputDetail(Guid Id, Guid IterationId, int Position, string Model, int Sample, string Input, string? ExpectedOutput,
    string Status, string Text, string? Error, bool Truncated, IReadOnlyList<string> PiiFlags, IReadOnlyList<JudgmentDetail> Judgments);
