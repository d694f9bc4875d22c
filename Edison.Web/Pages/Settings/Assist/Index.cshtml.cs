using Edison.Core.Assist;
using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Settings.Assist;

/// Which credential and model answer AI assist in this project, shown with the model's price.
[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(AssistSettingsStore settings, CredentialService credentials, PriceService prices) : PageModel
{
    [BindProperty]
    public Guid? CredentialId { get; set; }

    [BindProperty]
    public string Model { get; set; } = "";

    public AssistModelSetting? Current { get; private set; }

    public ModelPrice? Price { get; private set; }

    public IReadOnlyList<CredentialSummary> Credentials { get; private set; } = [];

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Error = CredentialId is { } id
            ? await settings.SetAsync(HttpContext.Actor(), HttpContext.CurrentProject()!.ProjectId, new AssistModelSetting(id, Model ?? ""), cancellationToken)
            : "Choose the credential assist calls through.";
        Message = Error is null ? $"AI assist now answers with {Model?.Trim()}." : null;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var projectId = HttpContext.CurrentProject()!.ProjectId;
        Current = await settings.GetAsync(projectId, cancellationToken);
        Credentials = (await credentials.ListAsync(projectId, cancellationToken)).Where(c => !c.IsDisabled).ToList();
        if (Error is null && Current is not null)
        {
            CredentialId = Current.CredentialId;
            Model = Current.Model;
        }

        Price = Current is null ? null
            : (await prices.ListAsync(cancellationToken)).FirstOrDefault(p => string.Equals(p.Model, Current.Model, StringComparison.OrdinalIgnoreCase));
    }
}
