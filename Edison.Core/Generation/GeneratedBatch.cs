namespace Edison.Core.Generation;

/// <summary>The generating model's answer: a list of cases.</summary>
public sealed record GeneratedBatch(IReadOnlyList<GeneratedCaseAnswer> Cases);
