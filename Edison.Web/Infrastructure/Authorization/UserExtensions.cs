using System.Diagnostics;
using System.Security.Claims;
using Edison.Core.Security;

namespace Edison.Web.Infrastructure.Authorization;

internal static class UserExtensions
{
    /// The claim an API token puts on its principal: the most the token may do, whatever its user's role.
    public const string RoleCapClaim = "edison:role_cap";

    public static Guid? UserId(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static Actor Actor(this HttpContext context)
    {
        var userId = context.User.UserId() ?? throw new ProjectAccessDeniedException("Sign in first.") { NotAMember = true };
        var cap = ProjectRoles.Parse(context.User.FindFirstValue(RoleCapClaim));
        return new Actor(userId, cap, Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
    }

    public static ProjectContext? CurrentProject(this HttpContext context) => context.Features.Get<ProjectContext>();
}
