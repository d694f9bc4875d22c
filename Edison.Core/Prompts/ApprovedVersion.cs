namespace Edison.Core.Prompts;

/// A suggestion's prompt as approved: what <see cref="PromptVersionStore.CreateApprovedAsync"/> stores as the next version.
internal sealed record ApprovedVersion(Guid ExperimentId, Guid ParentVersionId, string Template, string SystemText, string FewShots, string Changelog,
    Guid? ApprovedBy, Guid SuggestionId);
