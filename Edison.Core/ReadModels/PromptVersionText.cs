namespace Edison.Core.ReadModels;

/// <summary>One prompt version's text and lineage, for the versions page.</summary>
public sealed class PromptVersionText
{
    /// <summary>The version's id.</summary>
    public Guid Id { get; init; }

    /// <summary>The version number.</summary>
    public int Version { get; init; }

    /// <summary>The version it came from.</summary>
    public int? ParentVersion { get; init; }

    /// <summary>The prompt template.</summary>
    public string Template { get; init; } = "";

    /// <summary>The system text.</summary>
    public string SystemText { get; init; } = "";

    /// <summary>The few-shot examples as JSON.</summary>
    public string FewShots { get; init; } = "[]";

    /// <summary>What changed, in words.</summary>
    public string Changelog { get; init; } = "";

    /// <summary>Labels such as "production".</summary>
    public string[] Labels { get; init; } = [];

    /// <summary>When it was created.</summary>
    public DateTime CreatedAt { get; init; }
}
