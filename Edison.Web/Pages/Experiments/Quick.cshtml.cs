using Edison.Core.Experiments;
using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Experiments;

[RequireProjectRole(ProjectRole.Editor)]
public sealed class QuickModel(ExperimentService experiments, CredentialService credentials) : PageModel
{
    /// The project's enabled credentials: an editor runs on one of these; only an admin may give a new endpoint instead.
    public IReadOnlyList<CredentialSummary> Credentials { get; private set; } = [];

    public bool MayAddEndpoint => HttpContext.CurrentProject()?.Role >= ProjectRole.Admin;

    [BindProperty]
    public ExperimentForm Form { get; set; } = new();

    public IReadOnlyDictionary<string, List<string>> Errors { get; private set; } = new Dictionary<string, List<string>>();

    public IReadOnlyList<string>? ErrorsFor(string field) => Errors.TryGetValue(field, out var list) ? list : null;

    public async Task OnGetAsync(CancellationToken cancellationToken, bool example = false)
    {
        await LoadCredentialsAsync(cancellationToken);
        if (example)
        {
            Form = ExperimentForm.Example();
        }
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (id, errors) = await experiments.CreateAsync(HttpContext.Actor(), HttpContext.CurrentProject()!.ProjectId, Form.ToDraft(), cancellationToken);
        if (id is null)
        {
            await LoadCredentialsAsync(cancellationToken);
            Errors = errors;
            // The key is never echoed back into the page, even on a failed submit.
            Form.ApiKey = "";
            return Page();
        }

        return RedirectToPage("/Experiments/Details", new { id });
    }

    private async Task LoadCredentialsAsync(CancellationToken cancellationToken) =>
        Credentials = (await credentials.ListAsync(HttpContext.CurrentProject()!.ProjectId, cancellationToken)).Where(c => !c.IsDisabled).ToList();
}
