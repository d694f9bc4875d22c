using Edison.Core.Accounts;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Edison.Web.Pages.Account;

/// The signed-in person's account: change the password (which signs out other sessions) or sign out everywhere.
[SignedInOnly]
[EnableRateLimiting(AccountRateLimiting.Policy)]
public sealed class ChangePasswordModel(UserManager<EdisonUser> users, SignInManager<EdisonUser> signIn, SignInThrottle throttle) : PageModel
{
    [BindProperty]
    public string CurrentPassword { get; set; } = "";

    [BindProperty]
    public string NewPassword { get; set; } = "";

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public string? Message { get; private set; }

    public string Email { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        Email = user.Email;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        Email = user.Email;
        // A wrong current password counts like a failed sign-in from this address, so a stolen session cannot be used to guess
        // the password here without limit.
        switch (await throttle.CheckCurrentPasswordAsync(users, user, CurrentPassword, HttpContext.Connection.RemoteIpAddress))
        {
            case PasswordCheck.TooMany:
                CurrentPassword = NewPassword = "";
                Errors = ["Too many wrong passwords. Wait a while and try again."];
                return Page();
            case PasswordCheck.Wrong:
                CurrentPassword = NewPassword = "";
                Errors = ["The current password is not right."];
                return Page();
        }

        await users.ResetAccessFailedCountAsync(user);
        var result = await users.ChangePasswordAsync(user, CurrentPassword, NewPassword);
        CurrentPassword = NewPassword = "";
        if (!result.Succeeded)
        {
            Errors = result.Errors.Select(e => e.Description).ToList();
            return Page();
        }

        // The new security stamp ends every other session; this one gets a fresh cookie.
        await signIn.RefreshSignInAsync(user);
        Message = "Your password was changed. Other sessions are signed out.";
        return Page();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is not null)
        {
            await users.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        return RedirectToPage("/Account/SignIn");
    }
}
