namespace Edison.Core.Refining;

/// <summary>A (usually poorly scored) case shown to the refiner: its input, the model's output and the judges' rationales.</summary>
public sealed record RefinerExemplar(string CaseId, string Input, string Output, IReadOnlyList<string> JudgeRationales, double? Composite,
    IReadOnlyList<string> Tags);
