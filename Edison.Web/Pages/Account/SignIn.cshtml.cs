using Edison.Core.Accounts;
using Edison.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Edison.Web.Pages.Account;

[AllowAnonymous]
[EnableRateLimiting(AccountRateLimiting.Policy)]
public sealed class SignInModel(SignInManager<EdisonUser> signIn, AccountService accounts) : PageModel
{
    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public bool SignUpOpen { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        SignUpOpen = (await accounts.SettingsAsync(cancellationToken)).PublicSignUp;

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await signIn.PasswordSignInAsync(Email.Trim(), Password, isPersistent: true, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        // One message for an unknown address and a wrong password, so the form does not reveal who has an account.
        Error = result.IsLockedOut
            ? "Too many failed attempts: this account is locked for a while. Try again later."
            : "That e-mail address and password do not match an account.";
        Password = "";
        await OnGetAsync(cancellationToken);
        return Page();
    }
}
