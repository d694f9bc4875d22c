using Edison.Core.Projects;
using Edison.Core.Security;
using Edison.Web.Infrastructure.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Net.Http.Headers;

namespace Edison.Web.Pages.Settings.Project;

/// The project itself: admins rename it; owners transfer ownership, export everything as one zip, and delete it by typing its name.
[RequireProjectRole(ProjectRole.Admin)]
public sealed class IndexModel(ProjectService projects, ProjectMembershipService memberships, TimeProvider time) : PageModel
{
    public ProjectSummary Project { get; private set; } = null!;

    public IReadOnlyList<ProjectMember> OtherMembers { get; private set; } = [];

    public ProjectRole MyRole { get; private set; }

    [BindProperty]
    public string NewName { get; set; } = "";

    [BindProperty]
    public string ConfirmName { get; set; } = "";

    [TempData]
    public string? Message { get; set; }

    public string? RenameError { get; private set; }

    public string? TransferError { get; private set; }

    public string? DeleteError { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    [RequireProjectRole(ProjectRole.Admin)]
    public async Task<IActionResult> OnPostRenameAsync(CancellationToken cancellationToken)
    {
        var projectId = HttpContext.CurrentProject()!.ProjectId;
        RenameError = await projects.RenameAsync(HttpContext.Actor(), projectId, NewName, cancellationToken);
        if (RenameError is not null)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        Message = $"Renamed to \"{NewName.Trim()}\".";
        return RedirectToPage(new { project = projectId });
    }

    [RequireProjectRole(ProjectRole.Owner)]
    public async Task<IActionResult> OnPostTransferAsync(Guid userId, CancellationToken cancellationToken)
    {
        var projectId = HttpContext.CurrentProject()!.ProjectId;
        TransferError = userId == Guid.Empty
            ? "Choose the member who becomes the owner."
            : await projects.TransferOwnershipAsync(HttpContext.Actor(), projectId, userId, cancellationToken);
        if (TransferError is not null)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        Message = "Ownership transferred. You are now an admin of this project.";
        return RedirectToPage(new { project = projectId });
    }

    [RequireProjectRole(ProjectRole.Owner)]
    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken cancellationToken)
    {
        var projectId = HttpContext.CurrentProject()!.ProjectId;
        DeleteError = await projects.DeleteAsync(HttpContext.Actor(), projectId, ConfirmName ?? "", cancellationToken);
        if (DeleteError is not null)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        TempData[DeletedModel.DeletedNameKey] = ConfirmName!.Trim();
        return RedirectToPage("/Settings/Project/Deleted");
    }

    // Written to a temporary file first: zip archives write synchronously, which the response stream refuses, and the file
    // keeps a large project out of memory.
    [RequireProjectRole(ProjectRole.Owner)]
    public async Task<IActionResult> OnGetExportAsync(CancellationToken cancellationToken)
    {
        var projectId = HttpContext.CurrentProject()!.ProjectId;
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await projects.ExportAsync(HttpContext.Actor(), projectId, file, cancellationToken);
            file.Position = 0;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }

        Response.Headers.CacheControl = "no-store";
        var name = new ContentDispositionHeaderValue("attachment") { FileName = $"project-{projectId}-{time.GetUtcNow():yyyyMMdd}.zip" };
        return File(file, "application/zip", name.FileName.Value);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var current = HttpContext.CurrentProject()!;
        var actor = HttpContext.Actor();
        MyRole = current.Role;
        Project = await projects.GetAsync(actor, current.ProjectId, cancellationToken);
        OtherMembers = (await memberships.MembersAsync(actor, current.ProjectId, cancellationToken)).Where(m => m.UserId != actor.UserId).ToList();
        if (string.IsNullOrEmpty(NewName))
        {
            NewName = Project.Name;
        }
    }
}
