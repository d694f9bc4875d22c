namespace Edison.Web.Api;

/// <summary>A hand-written candidate version derived from <see cref="ParentVersion"/>.</summary>
public sealed record CreatePromptVersionRequest(int ParentVersion, string Template, string? SystemText = null, string Changelog = "");

/// <summary>A reviewer's note on an approval or rejection.</summary>
public sealed record ReviewRequest(string Note = "");

/// <summary>Run <see cref="Version"/> and pass it when its mean score reaches <see cref="Threshold"/> without regressing.</summary>
public sealed record StartCheckRequest(int Version, double Threshold);

/// <summary>The id of something the request created, and where to read it.</summary>
public sealed record CreatedResponse(Guid Id, string Location);

/// <summary>A unified diff between two versions.</summary>
public sealed record DiffResponse(int From, int To, string UnifiedDiff);

/// <summary>One iteration in a list.</summary>
public sealed record IterationListItem(Guid Id, int Number, string Status, int Version);
