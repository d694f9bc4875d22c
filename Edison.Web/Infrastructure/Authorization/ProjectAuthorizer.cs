using Edison.Core.Security;

namespace Edison.Web.Infrastructure.Authorization;

/// Decides a role requirement for one request: the project comes from the resources the request names (another project's
/// resource, or one that does not exist, is 404), else from the user's current project; too low a role is 403.
internal sealed class ProjectAuthorizer(ProjectAccess access, ProjectMembershipService memberships)
{
    public const string ProjectQueryKey = "project";

    public async Task<int?> AuthorizeAsync(HttpContext context, ProjectRole least, IReadOnlyList<(string Kind, Guid Id)> resources,
        CancellationToken cancellationToken)
    {
        var userId = context.User.UserId();
        if (userId is null)
        {
            return StatusCodes.Status401Unauthorized;
        }

        Guid? projectId = null;
        foreach (var (kind, id) in resources)
        {
            var owner = await access.ProjectOfAsync(kind, id, cancellationToken);
            if (owner is null || (projectId is not null && projectId != owner))
            {
                return StatusCodes.Status404NotFound;
            }

            projectId = owner;
        }

        ProjectRole? role;
        if (projectId is { } pid)
        {
            role = await access.RoleOfAsync(userId.Value, pid, cancellationToken);
            if (role is null)
            {
                return StatusCodes.Status404NotFound;
            }
        }
        else
        {
            var mine = await memberships.ProjectsOfAsync(userId.Value, cancellationToken);
            var chosen = Guid.TryParse(context.Request.Query[ProjectQueryKey], out var asked)
                ? mine.FirstOrDefault(m => m.ProjectId == asked)
                : (mine.Count > 0 ? mine[0] : null);
            if (chosen is null)
            {
                return mine.Count == 0 ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
            }

            projectId = chosen.ProjectId;
            role = chosen.Role;
        }

        // An API token works in its own project only; elsewhere the resource looks absent.
        if (Guid.TryParse(context.User.FindFirst(Security.ApiTokenAuthenticationHandler.ProjectClaim)?.Value, out var tokenProject) && tokenProject != projectId)
        {
            return StatusCodes.Status404NotFound;
        }

        var effective = ProjectRoles.Parse(context.User.FindFirst(UserExtensions.RoleCapClaim)?.Value) is { } cap && cap < role ? cap : role.Value;
        if (effective < least)
        {
            return StatusCodes.Status403Forbidden;
        }

        context.Features.Set(new ProjectContext(projectId.Value, effective));
        return null;
    }
}
