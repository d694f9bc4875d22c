using Edison.Core.Accounts;
using Edison.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Edison.Web.Pages.Setup;

/// First run: the first account becomes the instance owner and the owner of the first project. Gone once done.
[AllowAnonymous]
[EnableRateLimiting(AccountRateLimiting.Policy)]
public sealed class IndexModel(AccountService accounts, SetupToken setupToken, UserManager<EdisonUser> users, SignInManager<EdisonUser> signIn)
    : PageModel
{
    [BindProperty]
    public string Token { get; set; } = "";

    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string DisplayName { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty]
    public bool PublicSignUp { get; set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await accounts.IsSetUpAsync(cancellationToken) ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await accounts.IsSetUpAsync(cancellationToken))
        {
            return NotFound();
        }

        // Checked before any account exists: without the token from the web app's log (or Edison:SetupToken), nothing is created.
        if (!await setupToken.MatchesAsync(Token, cancellationToken))
        {
            Errors = [string.IsNullOrWhiteSpace(Token)
                ? "Enter the setup token: it is printed in the web app's log at start (and by the AppHost, beside \"Edison is ready\")."
                : "That is not this instance's setup token. Copy it again from the web app's log (or the AppHost's output)."];
            Password = "";
            Token = "";
            return Page();
        }

        var owner = new EdisonUser { Email = Email.Trim(), DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? Email.Trim() : DisplayName.Trim() };
        var result = await users.CreateAsync(owner, Password);
        if (!result.Succeeded)
        {
            Errors = result.Errors.Select(e => e.Description).ToList();
            Password = "";
            return Page();
        }

        if (await accounts.CompleteSetupAsync(owner.Id, PublicSignUp, cancellationToken) is null)
        {
            // Someone else finished setup a moment earlier: this account stays an ordinary one.
            return RedirectToPage("/Account/SignIn");
        }

        await setupToken.ForgetAsync(cancellationToken);
        await signIn.SignInAsync(owner, isPersistent: true);
        return LocalRedirect("/");
    }
}
