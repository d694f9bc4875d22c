using Edison.Core.Accounts;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Edison.Web.Pages.Settings.Members;

/// A project's members and invitations. Everyone in the project sees who is in it; admins invite, change roles and remove.
[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(ProjectMembershipService memberships, InvitationService invitations, AccountService accounts,
    IOptions<SecurityOptions> options) : PageModel
{
    public IReadOnlyList<ProjectMember> Members { get; private set; } = [];

    public ProjectRole MyRole { get; private set; }

    public Guid ProjectId { get; private set; }

    [BindProperty]
    public string InviteEmail { get; set; } = "";

    [BindProperty]
    public ProjectRole InviteRole { get; set; } = ProjectRole.Viewer;

    public string? InvitationLink { get; private set; }

    public string? Error { get; private set; }

    public bool? PublicSignUp { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(InviteEmail) || !InviteEmail.Contains('@', StringComparison.Ordinal) || InviteRole is ProjectRole.Owner
            || !Enum.IsDefined(InviteRole))
        {
            Error = "Give the person's e-mail address and a role from viewer to admin.";
            await LoadAsync(cancellationToken);
            return Page();
        }

        var created = await invitations.CreateAsync(HttpContext.Actor(), HttpContext.CurrentProject()!.ProjectId, InviteEmail, InviteRole,
            options.Value.InvitationLifetime, cancellationToken);
        InvitationLink = Url.Page("/Account/Invitation", null, new { token = created.Token }, Request.Scheme, Request.Host.Value);
        await LoadAsync(cancellationToken);
        return Page();
    }

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostRoleAsync(Guid userId, ProjectRole role, CancellationToken cancellationToken)
    {
        Error = await memberships.ChangeRoleAsync(HttpContext.Actor(), HttpContext.CurrentProject()!.ProjectId, userId, role, cancellationToken);
        await LoadAsync(cancellationToken);
        return Page();
    }

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostRemoveAsync(Guid userId, CancellationToken cancellationToken)
    {
        Error = await memberships.RemoveAsync(HttpContext.Actor(), HttpContext.CurrentProject()!.ProjectId, userId, cancellationToken);
        await LoadAsync(cancellationToken);
        return Page();
    }

    [RequireProjectRole(ProjectRole.Owner)]
    public async Task<IActionResult> OnPostSignUpAsync(bool open, CancellationToken cancellationToken)
    {
        try
        {
            await accounts.SetPublicSignUpAsync(HttpContext.Actor(), open, cancellationToken);
        }
        catch (ProjectAccessDeniedException)
        {
            return Forbid();
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var current = HttpContext.CurrentProject()!;
        ProjectId = current.ProjectId;
        MyRole = current.Role;
        Members = await memberships.MembersAsync(HttpContext.Actor(), current.ProjectId, cancellationToken);
        if (MyRole == ProjectRole.Owner)
        {
            PublicSignUp = (await accounts.SettingsAsync(cancellationToken)).PublicSignUp;
        }
    }
}
