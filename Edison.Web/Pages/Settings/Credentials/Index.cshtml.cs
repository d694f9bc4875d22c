using System.ComponentModel.DataAnnotations;
using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Settings.Credentials;

/// <summary>Provider credentials: add, test, rotate, disable and delete; keys are write-only and shown by their last four characters.</summary>
[RequireProjectRole(ProjectRole.Admin)]
public sealed class IndexModel(CredentialService credentials) : PageModel
{
    // Set by the role check before any handler runs: the project this request acts in.
    private Guid ProjectId => HttpContext.CurrentProject()?.ProjectId ?? throw new InvalidOperationException("No project was resolved for this request.");

    public IReadOnlyList<CredentialSummary> Credentials { get; private set; } = [];

    public IReadOnlyCollection<string> Providers => credentials.Providers;

    [BindProperty]
    public NewCredential Form { get; set; } = new();

    [TempData]
    public string? Message { get; set; }

    [TempData]
    public string? Problem { get; set; }

    public string? FormError { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var projectId = ProjectId;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in new[] { ("region", Form.Region), ("project", Form.GcpProject), ("location", Form.Location) })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                settings[key] = value.Trim();
            }
        }

        var result = await credentials.CreateAsync(HttpContext.Actor(), projectId, new CredentialDraft(Form.Name, Form.Provider, Form.BaseUrl, Form.ApiKey)
        {
            Settings = settings.Count == 0 ? null : settings,
        }, cancellationToken);
        if (!result.Succeeded)
        {
            FormError = result.Error;
            // A refused key is never echoed back into the page (tag helpers prefer the posted value, so clear that too).
            Form = Form with { ApiKey = "" };
            ModelState.Remove($"{nameof(Form)}.{nameof(NewCredential.ApiKey)}");
            await LoadAsync(cancellationToken);
            return Page();
        }

        Message = $"Added \"{Form.Name.Trim()}\". Test its connection before using it.";
        return RedirectToPage();
    }

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostTestAsync(Guid id, string? model, CancellationToken cancellationToken)
    {
        var projectId = ProjectId;
        var result = await credentials.TestConnectionAsync(HttpContext.Actor(), projectId, id, string.IsNullOrWhiteSpace(model) ? null : model.Trim(), cancellationToken);
        if (result.Ok)
        {
            Message = $"Connected: {result.Model} answered in {result.LatencyMs:N0} ms.";
        }
        else
        {
            Problem = $"The test with {result.Model} failed: {result.Error}";
        }

        return RedirectToPage();
    }

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostRotateAsync(Guid id, string newKey, CancellationToken cancellationToken) =>
        Done(await credentials.RotateAsync(HttpContext.Actor(), ProjectId, id, newKey ?? "", cancellationToken),
            "The key was replaced; the old one is gone.");

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostDisableAsync(Guid id, CancellationToken cancellationToken) =>
        Done(await credentials.DisableAsync(HttpContext.Actor(), ProjectId, id, cancellationToken),
            "Disabled: calls through it fail until it is enabled again.");

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostEnableAsync(Guid id, CancellationToken cancellationToken) =>
        Done(await credentials.EnableAsync(HttpContext.Actor(), ProjectId, id, cancellationToken), "Enabled.");

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken cancellationToken) =>
        Done(await credentials.DeleteAsync(HttpContext.Actor(), ProjectId, id, cancellationToken), "Deleted.");

    private RedirectToPageResult Done(CredentialChange change, string message)
    {
        if (change.Succeeded)
        {
            Message = message;
        }
        else
        {
            Problem = change.Error;
        }

        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Credentials = await credentials.ListAsync(ProjectId, cancellationToken);

    /// <summary>The add-a-credential form.</summary>
    public sealed record NewCredential
    {
        [Display(Name = "Name")]
        public string Name { get; init; } = "";

        public string Provider { get; init; } = ProviderKinds.OpenAI;

        public string? BaseUrl { get; init; }

        public string ApiKey { get; init; } = "";

        public string? Region { get; init; }

        public string? GcpProject { get; init; }

        public string? Location { get; init; }
    }
}
