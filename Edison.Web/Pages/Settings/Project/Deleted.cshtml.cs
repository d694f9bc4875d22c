using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Settings.Project;

/// Where a deleted project's owner lands: it confirms the deletion and offers the projects they still belong to, if any.
[SignedInOnly]
public sealed class DeletedModel(ProjectMembershipService memberships) : PageModel
{
    public const string DeletedNameKey = "DeletedProjectName";

    public string? DeletedName { get; private set; }

    public IReadOnlyList<ProjectMembership> Remaining { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        DeletedName = TempData[DeletedNameKey] as string;
        Remaining = await memberships.ProjectsOfAsync(HttpContext.User.UserId()!.Value, cancellationToken);
    }
}
