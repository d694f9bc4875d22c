using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Settings.Tokens;

/// API tokens for /api/v1: every member makes their own (with a role no higher than theirs), sees a new token's value once,
/// and revokes; admins also see and revoke everyone's in the project.
[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(ApiTokenService tokens) : PageModel
{
    public const int MaxNameLength = 100;

    public IReadOnlyList<ApiTokenSummary> Tokens { get; private set; } = [];

    public ProjectRole MyRole { get; private set; }

    public Guid ProjectId { get; private set; }

    [BindProperty]
    public string TokenName { get; set; } = "";

    [BindProperty]
    public ProjectRole TokenRole { get; set; } = ProjectRole.Viewer;

    /// The new token's value: rendered in this one response and stored nowhere but as its hash.
    public string? NewToken { get; private set; }

    public string? NameError { get; private set; }

    public string? RoleError { get; private set; }

    public string? Problem { get; private set; }

    [TempData]
    public string? Message { get; set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    [RequireProjectRole(ProjectRole.Viewer)]
    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var current = HttpContext.CurrentProject()!;
        TokenName = TokenName?.Trim() ?? "";
        if (TokenName.Length is 0 or > MaxNameLength)
        {
            NameError = $"Name the token (1 to {MaxNameLength} characters), e.g. after the script or CI job that uses it.";
        }

        if (!Enum.IsDefined(TokenRole) || TokenRole > current.Role)
        {
            RoleError = $"Choose a role up to your own ({current.Role.ToText()}).";
        }

        if (NameError is null && RoleError is null)
        {
            try
            {
                var (_, token) = await tokens.CreateAsync(HttpContext.Actor(), current.ProjectId, TokenName, TokenRole, cancellationToken);
                NewToken = token;
                Response.Headers.CacheControl = "no-store";
                TokenName = "";
                ModelState.Clear();
            }
            catch (ProjectAccessDeniedException denied) when (!denied.NotAMember)
            {
                RoleError = denied.Message;
            }
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    [RequireProjectRole(ProjectRole.Viewer)]
    public async Task<IActionResult> OnPostRevokeAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        try
        {
            await tokens.RevokeAsync(HttpContext.Actor(), tokenId, cancellationToken);
        }
        catch (ProjectAccessDeniedException denied)
        {
            Problem = denied.NotAMember ? "There is no such token in this project." : "Only its owner or a project admin can revoke that token.";
        }

        await LoadAsync(cancellationToken);
        if (Problem is null && Request.IsHtmx() && Tokens.FirstOrDefault(t => t.Id == tokenId) is { } revoked)
        {
            return Partial("_TokenRow", revoked);
        }

        if (Problem is not null)
        {
            return Page();
        }

        Message = "Revoked: requests with that token now answer 401.";
        return RedirectToPage(new { project = ProjectId });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var current = HttpContext.CurrentProject()!;
        ProjectId = current.ProjectId;
        MyRole = current.Role;
        Tokens = await tokens.ListAsync(HttpContext.Actor(), current.ProjectId, cancellationToken);
    }
}
