namespace Edison.Core.Generation;

/// <summary>Why a generated case was dropped as a duplicate, from strictest to loosest.</summary>
public enum DuplicateKind
{
    /// <summary>Character for character the same input as an earlier case.</summary>
    Exact,

    /// <summary>The same input once case, punctuation and whitespace are ignored.</summary>
    Normalized,

    /// <summary>A MinHash-estimated Jaccard similarity of word 3-shingles of at least <see cref="CaseDeduplicator.NearThreshold"/>.</summary>
    Near,
}
