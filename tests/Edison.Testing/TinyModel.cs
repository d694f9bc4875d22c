using System.Security.Cryptography;

namespace Edison.Testing;

/// <summary>
/// The real tiny GGUF model of <c>../shared/models/stories260K.gguf</c> (a test fixture, never a product default),
/// found beside the checkout that holds <c>Edison.sln</c>.
/// </summary>
public static class TinyModel
{
    /// <summary>The file name, also used as the model name in calls.</summary>
    public const string FileName = "stories260K.gguf";

    /// <summary>The sha256 given in <c>../shared/models/README.md</c>.</summary>
    public const string Sha256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

    private static readonly Lazy<string?> Resolved = new(Resolve);

    /// <summary>The model's full path, or null when no checkout root or no file was found.</summary>
    public static string? Path => Resolved.Value is { } path && File.Exists(path) ? path : null;

    /// <summary>Why the model cannot be used, or null when it is present.</summary>
    public static string? AbsentReason => Path is not null
        ? null
        : $"{FileName} not found at {Resolved.Value ?? $"../shared/models/ beside the folder holding Edison.sln (searched up from {AppContext.BaseDirectory})"}; the local-model tests need it.";

    /// <summary>The path after checking the file is the one the README describes; throws with the digests when it is not.</summary>
    public static async Task<string> VerifiedPathAsync(CancellationToken cancellationToken)
    {
        var path = Path ?? throw new FileNotFoundException(AbsentReason);
        await using var stream = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        return actual == Sha256
            ? path
            : throw new InvalidOperationException(
                $"{path} is not the expected {FileName}: sha256 {actual}, expected {Sha256} (../shared/models/README.md). Replace the bad copy.");
    }

    private static string? Resolve()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Edison.sln")))
            {
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "models", FileName));
            }
        }

        return null;
    }
}
