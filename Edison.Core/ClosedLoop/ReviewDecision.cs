namespace Edison.Core.ClosedLoop;

/// <summary>The outcome of a review action: the new version and iteration on approval, or why it was refused, in words.</summary>
public sealed record ReviewDecision(bool Accepted, string? Error, Guid? NewVersionId = null, Guid? NextIterationId = null)
{
    internal static ReviewDecision Refused(string error) => new(false, error);
}
