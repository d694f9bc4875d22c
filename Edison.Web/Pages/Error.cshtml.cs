using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages;

[IgnoreAntiforgeryToken(Order = 1001)]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Message { get; private set; } = "Edison could not finish that request. Nothing was lost; try again.";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        if (code == StatusCodes.Status404NotFound)
        {
            Title = "Not found";
            Message = "There is nothing at this address. It may have been deleted, or the link is mistyped.";
        }
        else if (code == StatusCodes.Status400BadRequest)
        {
            Title = "The form has expired";
            Message = "Edison could not verify that form (it may be older than your session). Go back, reload the page and submit again.";
        }
    }
}
