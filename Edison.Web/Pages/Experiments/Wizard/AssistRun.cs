using Edison.Core.Assist;

namespace Edison.Web.Pages.Experiments.Wizard;

/// One assist click, handed from the POST that records it to the SSE stream that answers it.
public sealed record AssistRun(Guid Id, Guid ProjectId, Guid UserId, string Kind, string FieldPath, AssistField Field, string Goal, string CurrentText,
    string Context, decimal BudgetUsd, Guid CredentialId, string Model)
{
    public const string Draft = "draft";
    public const string Complete = "complete";
    public const string Improve = "improve";
    public const string DraftRest = "rest";
}
