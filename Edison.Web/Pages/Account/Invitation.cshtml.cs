using Edison.Core.Accounts;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Account;

/// The invitation link: anyone may see what it offers; joining needs an account (sign in, or sign up through the link).
[AllowAnonymous]
public sealed class InvitationModel(InvitationService invitations, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Token { get; set; } = "";

    public Invitation? Offer { get; private set; }

    public bool IsValid { get; private set; }

    /// The link is valid but was sent to another address than the signed-in account's.
    public bool WrongAccount { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Offer = await invitations.FindAsync(Token, cancellationToken);
        IsValid = Offer?.IsValidAt(time.GetUtcNow()) == true;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (User.UserId() is not { } userId)
        {
            return Challenge();
        }

        if (await invitations.AcceptAsync(Token, userId, cancellationToken) is null)
        {
            await OnGetAsync(cancellationToken);
            WrongAccount = IsValid;
            return Page();
        }

        return LocalRedirect("/");
    }
}
