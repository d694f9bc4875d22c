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
public sealed class SignInModel(SignInManager<EdisonUser> signIn, SignInThrottle throttle, AccountService accounts) : PageModel
{
    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public bool SignUpOpen { get; private set; }

    /// The only refusal the form gives.
    public const string FailedMessage =
        "That e-mail address and password do not match an account, or sign-in is locked for a while after too many failed attempts.";

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        SignUpOpen = (await accounts.SettingsAsync(cancellationToken)).PublicSignUp;

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await throttle.SignInAsync(signIn, Email, Password, HttpContext.Connection.RemoteIpAddress))
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }

        // One message for an unknown address, a wrong password and a lockout, so the form does not reveal who has an account.
        Error = FailedMessage;
        Password = "";
        await OnGetAsync(cancellationToken);
        return Page();
    }
}
