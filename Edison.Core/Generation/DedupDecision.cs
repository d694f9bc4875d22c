namespace Edison.Core.Generation;

/// <summary>
/// The verdict on one candidate: kept, or dropped as a <see cref="Kind"/> duplicate of the kept case at
/// <see cref="DuplicateOf"/> (its index in the kept list) with a <see cref="Reason"/> in words.
/// </summary>
public sealed record DedupDecision(int Candidate, DuplicateKind? Kind, int? DuplicateOf, double Similarity, string? Reason)
{
    /// <summary>True when the candidate was kept.</summary>
    public bool Kept => Kind is null;
}
