namespace Edison.Core.ReadModels;

/// <summary>One prompt version in the lineage, with its labels and who (or what) approved it.</summary>
public sealed class VersionNode
{
    /// <summary>The version's id.</summary>
    public Guid Id { get; init; }

    /// <summary>The version number (1 is the seed).</summary>
    public int Version { get; init; }

    /// <summary>The version number it was derived from, if any.</summary>
    public int? ParentVersion { get; init; }

    /// <summary>What changed, in words.</summary>
    public string Changelog { get; init; } = "";

    /// <summary>Labels such as "production".</summary>
    public string[] Labels { get; init; } = [];

    /// <summary>The approver's name when a person approved it.</summary>
    public string? ApprovedByName { get; init; }

    /// <summary>When it was approved.</summary>
    public DateTime? ApprovedAt { get; init; }

    /// <summary>Whether autopilot applied it without a person.</summary>
    public bool AutoApplied { get; init; }

    /// <summary>Whether it came from a refiner suggestion.</summary>
    public Guid? SuggestionId { get; init; }

    /// <summary>When it was created.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>Who or what brought this version in, in words.</summary>
    public string Origin => (Version, SuggestionId, AutoApplied, ApprovedByName) switch
    {
        (1, _, _, _) => "Seed prompt",
        (_, not null, true, _) => "Applied by autopilot",
        (_, not null, false, { } name) => $"Approved by {name}",
        (_, not null, false, null) => "Approved by a reviewer",
        (_, null, _, { } name) => $"Written by {name}",
        _ => "Restored or written by hand",
    };
}
