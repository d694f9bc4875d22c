using Edison.Core.Accounts;
using Edison.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Edison.Web.Pages.Account;

/// Anyone may sign up while the owner keeps sign-up open; with an invitation link, always (and the invitation is then used).
[AllowAnonymous]
[EnableRateLimiting(AccountRateLimiting.Policy)]
public sealed class SignUpModel(UserManager<EdisonUser> users, SignInManager<EdisonUser> signIn, AccountService accounts,
    InvitationService invitations, TimeProvider time) : PageModel
{
    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string DisplayName { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? Invitation { get; set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public bool Allowed { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Allowed = await IsAllowedAsync(cancellationToken);
        if (Allowed && string.IsNullOrEmpty(Email) && Invitation is not null)
        {
            Email = (await invitations.FindAsync(Invitation, cancellationToken))?.Email ?? "";
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!await IsAllowedAsync(cancellationToken))
        {
            return Forbid();
        }

        // An invitation is bound to the address it was sent to: signing up through it with another address is refused before
        // any account exists (with sign-up closed it would otherwise leave an account that belongs to no project).
        if (Invitation is not null && await invitations.FindAsync(Invitation, cancellationToken) is { } offer
            && !string.Equals(offer.Email.Trim(), Email.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return Refuse("This invitation is for another e-mail address: sign up with the address it was sent to.");
        }

        var user = new EdisonUser { Email = Email.Trim(), DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? Email.Trim() : DisplayName.Trim() };
        var result = await users.CreateAsync(user, Password);
        if (!result.Succeeded)
        {
            Errors = result.Errors.Select(e => e.Description).ToList();
            Password = "";
            Allowed = true;
            return Page();
        }

        if (Invitation is not null && await invitations.AcceptAsync(Invitation, user.Id, cancellationToken) is null)
        {
            // Used or expired between the check and now: undo the account rather than leave one that joined nothing.
            await users.DeleteAsync(user);
            return Refuse("This invitation link is no longer valid (used or expired). Nothing was created; ask for a new one.");
        }

        await signIn.SignInAsync(user, isPersistent: true);
        return LocalRedirect("/");
    }

    private PageResult Refuse(string error)
    {
        Errors = [error];
        Password = "";
        Allowed = true;
        return Page();
    }

    private async Task<bool> IsAllowedAsync(CancellationToken cancellationToken)
    {
        if ((await accounts.SettingsAsync(cancellationToken)).PublicSignUp)
        {
            return true;
        }

        return Invitation is not null && (await invitations.FindAsync(Invitation, cancellationToken))?.IsValidAt(time.GetUtcNow()) == true;
    }
}
