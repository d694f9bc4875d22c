using Edison.Web.Infrastructure.Uploads;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Edison.Web.Pages;

[AllowAnonymous]
[IgnoreAntiforgeryToken(Order = 1001)]
public sealed class ErrorModel(IOptions<UploadOptions> uploads) : PageModel
{
    public string Title { get; private set; } = "Something went wrong";

    public string Message { get; private set; } = "Edison could not finish that request. Nothing was lost; try again.";

    // A POST over the upload limit re-executes here with a body nobody reads, so its code may not bind: the status still says it.
    public void OnGet(int? code) => Describe(code ?? Response.StatusCode);

    public void OnPost(int? code) => Describe(code ?? Response.StatusCode);

    private void Describe(int? code)
    {
        if (code == StatusCodes.Status404NotFound)
        {
            Title = "Not found";
            Message = "There is nothing at this address. It may have been deleted, or the link is mistyped.";
        }
        else if (code == StatusCodes.Status403Forbidden)
        {
            Title = "Not allowed";
            Message = "Your role in this project does not allow that. A project admin can change your role or invite you to the project.";
        }
        else if (code == StatusCodes.Status429TooManyRequests)
        {
            Title = "Too many attempts";
            Message = "Wait a minute and try again.";
        }
        else if (code == StatusCodes.Status413PayloadTooLarge)
        {
            Title = "Too large";
            Message = UploadLimitMiddleware.Describe(uploads.Value);
        }
        else if (code == StatusCodes.Status400BadRequest)
        {
            Title = "The form has expired";
            Message = "Edison could not verify that form (it may be older than your session). Go back, reload the page and submit again.";
        }
    }
}
