using Edison.Core.Llm;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Edison.Web.Pages.GetStarted;

/// <summary>
/// The first-run page: before a project has any model to call, it explains the two ways to get one (a provider key, or a
/// local model file) instead of letting a new user fill in an experiment that cannot run.
/// </summary>
[RequireProjectRole(ProjectRole.Viewer)]
public sealed class IndexModel(ProviderReadiness readiness) : PageModel
{
    /// <summary>The tiny model Edison's own tests run (../shared/models/stories260K.gguf, per its README): its size on disk.</summary>
    public const long TinyModelBytes = 1_185_376;

    public ProviderSetup Setup { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Setup = await readiness.GetAsync(HttpContext.CurrentProject()!.ProjectId, cancellationToken);

    /// <summary>A size in the unit people read: 1.2 MB, 4.1 GB.</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0} KB",
        _ => $"{bytes} bytes",
    };
}
