namespace Edison.Web.Pages.Datasets;

/// Keeps an uploaded file between the import steps (upload → mapping and preview → commit) in a temp folder, named by the
/// project and a random token, so a token only opens files of the project it was issued in. Files older than a day go.
public sealed class ImportStaging
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edison-imports");

    public async Task<Guid> SaveAsync(Guid projectId, Stream upload, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_folder);
        Sweep();
        var token = Guid.NewGuid();
        await using var file = new FileStream(PathOf(projectId, token), FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        await upload.CopyToAsync(file, cancellationToken);
        return token;
    }

    public Stream? Open(Guid projectId, Guid token)
    {
        var path = PathOf(projectId, token);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true) : null;
    }

    public void Delete(Guid projectId, Guid token) => File.Delete(PathOf(projectId, token));

    private string PathOf(Guid projectId, Guid token) => Path.Combine(_folder, $"{projectId:N}-{token:N}.upload");

    private void Sweep()
    {
        foreach (var file in new DirectoryInfo(_folder).EnumerateFiles("*.upload"))
        {
            if (DateTime.UtcNow - file.LastWriteTimeUtc > Lifetime)
            {
                try
                {
                    file.Delete();
                }
                catch (IOException)
                {
                    // In use by another request's step: the next sweep takes it.
                }
            }
        }
    }
}
