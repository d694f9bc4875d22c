namespace Edison.Core.Generation;

/// <summary>The outcome of accepting reviewed cases: the dataset version they joined, or why nothing was written.</summary>
public sealed record AcceptResult(string? Error, Guid? DatasetId, int? DatasetVersion, int Accepted);
