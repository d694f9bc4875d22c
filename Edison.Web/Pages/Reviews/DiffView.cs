using Edison.Core.Refining;

namespace Edison.Web.Pages.Reviews;

/// <summary>
/// A prompt diff shown unified (lines) or split (each changed field side by side, words marked), with links between the two.
/// The split view's words go through Shared/_WordDiff: encoded text, changes in &lt;ins&gt;/&lt;del&gt; with words for screen
/// readers, so nothing depends on colour alone (its markup stays on one line per span because it renders inside &lt;pre&gt;).
/// </summary>
public sealed record DiffView(IReadOnlyList<DiffLine> Unified, IReadOnlyList<FieldWordDiff> Split, bool IsSplit, string UnifiedUrl, string SplitUrl,
    string BeforeLabel, string AfterLabel)
{
    public const string SplitValue = "split";

    public static bool WantsSplit(string? view) => string.Equals(view, SplitValue, StringComparison.OrdinalIgnoreCase);
}
