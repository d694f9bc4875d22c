namespace Edison.Web.Pages.Reviews;

/// <summary>One line of a unified diff and how to show it.</summary>
public sealed record DiffLine(string Kind, string Text)
{
    public static IReadOnlyList<DiffLine> Parse(string? unifiedDiff) =>
        string.IsNullOrEmpty(unifiedDiff)
            ? []
            : unifiedDiff.TrimEnd('\n').Split('\n').Select(l => new DiffLine(KindOf(l), l.TrimEnd('\r'))).ToList();

    private static string KindOf(string line) => line switch
    {
        _ when line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("---", StringComparison.Ordinal) => "file",
        _ when line.StartsWith("@@", StringComparison.Ordinal) => "hunk",
        _ when line.StartsWith('+') => "add",
        _ when line.StartsWith('-') => "remove",
        _ => "context",
    };
}
