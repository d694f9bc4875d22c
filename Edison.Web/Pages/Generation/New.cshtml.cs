using Edison.Core.Generation;
using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Edison.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Edison.Web.Pages.Generation;

[RequireProjectRole(ProjectRole.Editor)]
[EnableRateLimiting(AccountRateLimiting.SpendPolicy)]
public sealed class NewModel(GenerationService generation, GenerationDefaultsQuery defaults, CredentialService credentials) : PageModel
{
    public GenerationDefaults? Defaults { get; private set; }

    public IReadOnlyList<CredentialSummary> Credentials { get; private set; } = [];

    [BindProperty]
    public GenerationForm Form { get; set; } = new();

    public Dictionary<string, List<string>> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid? datasetId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(datasetId, cancellationToken))
        {
            return NotFound();
        }

        if (Defaults is not null)
        {
            Form = GenerationForm.From(Defaults);
        }

        return Page();
    }

    [RequireProjectRole(ProjectRole.Editor)]
    public async Task<IActionResult> OnPostAsync(Guid? datasetId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(datasetId, cancellationToken))
        {
            return NotFound();
        }

        var projectId = HttpContext.CurrentProject()!.ProjectId;
        var (request, errors) = Form.ToRequest(projectId, Defaults);
        if (request is not null && Credentials.All(c => c.Id != request.CredentialId))
        {
            errors[nameof(GenerationForm.CredentialId)] = ["Choose one of this project's credentials."];
            request = null;
        }

        if (request is null)
        {
            Errors = errors;
            return Page();
        }

        var runId = await generation.StartAsync(HttpContext.Actor(), request, cancellationToken);
        return RedirectToPage("/Generation/Run", new { id = runId });
    }

    public IReadOnlyList<string>? ErrorsFor(string field) => Errors.TryGetValue(field, out var e) ? e : null;

    private async Task<bool> LoadAsync(Guid? datasetId, CancellationToken cancellationToken)
    {
        Credentials = await credentials.ListAsync(HttpContext.CurrentProject()!.ProjectId, cancellationToken);
        if (datasetId is { } id)
        {
            Defaults = await defaults.ForDatasetAsync(id, cancellationToken);
            return Defaults is not null;
        }

        return true;
    }
}
