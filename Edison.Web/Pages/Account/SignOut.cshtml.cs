using Edison.Core.Accounts;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Account;

/// POST only: a link or image cannot sign anyone out.
[SignedInOnly]
public sealed class SignOutModel(SignInManager<EdisonUser> signIn) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Account/ChangePassword");

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return RedirectToPage("/Account/SignIn");
    }
}
