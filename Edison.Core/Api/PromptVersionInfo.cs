namespace Edison.Core.Api;

/// <summary>One prompt version with its lineage, as the API returns it.</summary>
public sealed class PromptVersionInfo
{
    /// <summary>The stable id.</summary>
    public Guid Id { get; init; }

    /// <summary>The version number within the experiment (1, 2, …).</summary>
    public int Version { get; init; }

    /// <summary>The version this one was derived from.</summary>
    public Guid? ParentId { get; init; }

    /// <summary>The Liquid template.</summary>
    public string Template { get; init; } = "";

    /// <summary>The system text.</summary>
    public string SystemText { get; init; } = "";

    /// <summary>Why this version exists.</summary>
    public string Changelog { get; init; } = "";

    /// <summary>Labels such as <c>production</c>.</summary>
    public string[] Labels { get; init; } = [];

    /// <summary>When it was created.</summary>
    public DateTime CreatedAt { get; init; }
}
