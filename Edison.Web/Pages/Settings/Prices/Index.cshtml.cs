using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.Settings.Prices;

/// <summary>The price list costs come from, with where each price was read; admins set new prices from now on.</summary>
[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(PriceService prices) : PageModel
{
    public IReadOnlyList<ModelPrice> Prices { get; private set; } = [];

    [BindProperty]
    public PriceForm Form { get; set; } = new();

    [TempData]
    public string? Message { get; set; }

    public string? FormError { get; private set; }

    public async Task OnGetAsync(string? provider, string? model, CancellationToken cancellationToken)
    {
        Prices = await prices.ListAsync(cancellationToken);
        if (Prices.FirstOrDefault(p => p.Provider == provider && p.Model == model) is { } current)
        {
            Form = new PriceForm
            {
                Provider = current.Provider, Model = current.Model, InputPerMtok = current.InputPerMtok, OutputPerMtok = current.OutputPerMtok,
                CachedInputPerMtok = current.CachedInputPerMtok,
            };
        }
    }

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            FormError = !ModelState.IsValid
                ? "Enter each price as a number, e.g. 0.15."
                : await prices.SetAsync(HttpContext.Actor(), HttpContext.CurrentProject()!.ProjectId, Form.Provider, Form.Model,
                    Form.InputPerMtok ?? -1, Form.OutputPerMtok ?? -1, Form.CachedInputPerMtok, Form.Source, cancellationToken);
        }
        catch (ProjectAccessDeniedException) when (HttpContext.CurrentProject()?.Role >= ProjectRole.Admin)
        {
            FormError = PriceService.NotInstanceOwner;
        }

        if (FormError is not null)
        {
            Prices = await prices.ListAsync(cancellationToken);
            return Page();
        }

        Message = $"{Form.Model.Trim()} now costs ${Form.InputPerMtok:0.####} in / ${Form.OutputPerMtok:0.####} out per million tokens, for calls from now on.";
        return RedirectToPage();
    }

    /// <summary>A new price.</summary>
    public sealed record PriceForm
    {
        public string Provider { get; init; } = "";

        public string Model { get; init; } = "";

        public decimal? InputPerMtok { get; init; }

        public decimal? OutputPerMtok { get; init; }

        public decimal? CachedInputPerMtok { get; init; }

        public string? Source { get; init; }
    }
}
