namespace Edison.Core.Generation;

/// <summary>A generated case in review, or dropped with its reason.</summary>
public sealed class GeneratedCase
{
    /// <summary>The id.</summary>
    public Guid Id { get; init; }

    /// <summary>Its order in the run.</summary>
    public int Position { get; init; }

    /// <summary>The round that produced it.</summary>
    public int Round { get; init; }

    /// <summary>The variables as a JSON object.</summary>
    public string Input { get; init; } = "{}";

    /// <summary>The expected output, if generated.</summary>
    public string? ExpectedOutput { get; init; }

    /// <summary>Tags.</summary>
    public string[] Tags { get; init; } = [];

    /// <summary>easy, medium, hard or null.</summary>
    public string? Difficulty { get; init; }

    /// <summary>The persona it was written as.</summary>
    public string? Persona { get; init; }

    /// <summary>The scenario it covers.</summary>
    public string? Scenario { get; init; }

    /// <summary>pending (in review), accepted, discarded or dropped (duplicate).</summary>
    public string Status { get; init; } = "pending";

    /// <summary>Why it was dropped.</summary>
    public string? DropReason { get; init; }
}
